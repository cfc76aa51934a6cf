// SPDX-License-Identifier: MIT
//
// roar_probe: the N-API face of probes.c. This file only checks arguments
// and converts C structs to JS objects; every probe is in plain C. All
// functions run synchronously on the calling (JS) thread: the one forking
// probe, ptraceProbe, takes about a millisecond.
#include <napi.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "probes.h"
#include "reaper.h"

namespace {

Napi::Value StrOrNull(Napi::Env env, const char* s) {
  if (s == nullptr || s[0] == '\0') return env.Null();
  return Napi::String::New(env, s);
}

Napi::Value IntOrNull(Napi::Env env, long v) {
  if (v < 0) return env.Null();
  return Napi::Number::New(env, static_cast<double>(v));
}

Napi::Array CapNames(Napi::Env env, uint64_t set) {
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (int cap = 0; cap < 64; cap++) {
    if (!((set >> cap) & 1ULL)) continue;
    const char* name = probe_cap_name(cap);
    out.Set(n++, name != nullptr ? std::string(name) : "cap_" + std::to_string(cap));
  }
  return out;
}

// {ok, errno, code, message}: errno 0 and nulls when ok.
Napi::Object Result(Napi::Env env, const probe_result& r) {
  Napi::Object o = Napi::Object::New(env);
  bool ok = r.tried && r.ok;
  o.Set("ok", ok);
  o.Set("errno", ok ? 0 : r.err);
  o.Set("code", ok ? env.Null() : StrOrNull(env, probe_errno_name(r.err)));
  o.Set("message", ok || r.err == 0 ? env.Null() : Napi::String::New(env, strerror(r.err)));
  return o;
}

// One path-like string argument, or a JS exception (and false).
bool PathArg(const Napi::CallbackInfo& info, const char* what, std::string* out) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, std::string(what) + ": expected one string argument")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = info[0].As<Napi::String>().Utf8Value();
  if (out->find('\0') != std::string::npos) {
    Napi::TypeError::New(env, std::string(what) + ": the string contains a NUL byte")
        .ThrowAsJavaScriptException();
    return false;
  }
  if (out->size() >= PATH_MAX) {
    Napi::RangeError::New(env, std::string(what) + ": longer than PATH_MAX")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

bool NoArgs(const Napi::CallbackInfo& info, const char* what) {
  if (info.Length() == 0) return true;
  Napi::TypeError::New(info.Env(), std::string(what) + ": takes no arguments")
      .ThrowAsJavaScriptException();
  return false;
}

Napi::Value Capabilities(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NoArgs(info, "capabilities")) return env.Null();
  probe_caps c;
  probe_capabilities(&c);
  char hex[17];
  snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(c.effective));
  Napi::Object o = Napi::Object::New(env);
  o.Set("effective", CapNames(env, c.effective));
  o.Set("permitted", CapNames(env, c.permitted));
  o.Set("inheritable", CapNames(env, c.inheritable));
  o.Set("bounding", CapNames(env, c.bounding));
  o.Set("ambient", CapNames(env, c.ambient));
  o.Set("effectiveHex", hex);
  o.Set("lastCap", c.last_cap);
  o.Set("errno", c.err);
  return o;
}

Napi::Value ProcessInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NoArgs(info, "processInfo")) return env.Null();
  probe_process p;
  probe_process_info(&p);
  Napi::Object o = Napi::Object::New(env);
  o.Set("noNewPrivs", p.no_new_privs < 0 ? env.Null() : Napi::Boolean::New(env, p.no_new_privs));
  o.Set("seccompMode", IntOrNull(env, p.seccomp_mode));
  o.Set("seccompFilters", IntOrNull(env, p.seccomp_filters));
  o.Set("tracerPid", IntOrNull(env, p.tracer_pid));
  o.Set("dumpable", IntOrNull(env, p.dumpable));
  return o;
}

Napi::Value BpfProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NoArgs(info, "bpfProbe")) return env.Null();
  probe_bpf b;
  probe_run_bpf(&b);
  Napi::Object o = Napi::Object::New(env);
  o.Set("arrayMap", Result(env, b.array_map));
  o.Set("ringbufMap", Result(env, b.ringbuf_map));
  o.Set("tracingProg", Result(env, b.tracing_prog));
  o.Set("btfVmlinux", Napi::Boolean::New(env, b.btf_vmlinux));
  o.Set("unprivilegedBpfDisabled", IntOrNull(env, b.unprivileged_bpf_disabled));
  return o;
}

Napi::Value PtraceProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NoArgs(info, "ptraceProbe")) return env.Null();
  probe_ptrace p;
  int rc = probe_run_ptrace(&p);
  if (rc < 0) {
    Napi::Error::New(env, std::string("ptraceProbe: could not start the probe child: ") +
                              strerror(-rc))
        .ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("traceme", Result(env, p.traceme));
  o.Set("seccompFilter", Result(env, p.seccomp_filter));
  o.Set("seccompNeedsNnp", Napi::Boolean::New(env, p.seccomp_needs_nnp));
  o.Set("yamaPtraceScope", IntOrNull(env, p.yama_ptrace_scope));
  return o;
}

Napi::Value FileCapSets(Napi::Env env, const probe_file_caps& fc) {
  if (!fc.present) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", fc.version);
  o.Set("effective", Napi::Boolean::New(env, fc.effective));
  o.Set("permitted", CapNames(env, fc.permitted));
  o.Set("inheritable", CapNames(env, fc.inheritable));
  o.Set("rootid", fc.rootid < 0 ? env.Null() : Napi::Number::New(env, static_cast<double>(fc.rootid)));
  return o;
}

Napi::Value ElfInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!PathArg(info, "elfInfo", &path)) return env.Null();
  // ~50 KB of path buffers: on the heap, not the JS thread's stack
  auto e = std::make_unique<probe_elf>();
  probe_elf_info(path.c_str(), e.get());
  Napi::Object o = Napi::Object::New(env);
  o.Set("path", path);
  if (e->err != 0) {
    o.Set("ok", false);
    o.Set("errno", e->err);
    o.Set("code", StrOrNull(env, probe_errno_name(e->err)));
    o.Set("message", e->err == ENOEXEC ? "not an ELF file" : strerror(e->err));
    return o;
  }
  const elf_facts& f = e->facts;
  const cmd_info& d = e->derived;
  o.Set("ok", true);
  o.Set("class", f.elf_class);
  o.Set("endian", f.big_endian ? "big" : "little");
  o.Set("machine", elf_machine_name(f.machine));
  o.Set("machineId", f.machine);
  o.Set("nativeMachine", Napi::Boolean::New(env, e->native_machine));
  o.Set("type", probe_elf_type_name(f.type));
  o.Set("interpreter", f.has_interp ? Napi::Value(Napi::String::New(env, f.interp)) : env.Null());
  o.Set("dynamic", Napi::Boolean::New(env, f.has_dynamic));
  o.Set("static", Napi::Boolean::New(env, d.is_static));
  o.Set("staticPie", Napi::Boolean::New(env, d.static_pie));
  o.Set("libc", StrOrNull(env, d.libc));
  o.Set("go", Napi::Boolean::New(env, f.go));
  o.Set("goVersion", StrOrNull(env, e->go_version));
  o.Set("goPath", StrOrNull(env, e->go_path));
  o.Set("goBuildId", StrOrNull(env, e->go_build_id));
  o.Set("setuid", Napi::Boolean::New(env, d.setuid));
  o.Set("setgid", Napi::Boolean::New(env, d.setgid));
  o.Set("executable", Napi::Boolean::New(env, e->executable));
  o.Set("fileCaps", Napi::Boolean::New(env, e->file_caps.present));
  o.Set("fileCapSets", FileCapSets(env, e->file_caps));
  return o;
}

Napi::Value ResolveCommand(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string argv0;
  if (!PathArg(info, "resolveCommand", &argv0)) return env.Null();
  auto c = std::make_unique<cmd_info>();
  cmd_resolve(argv0.c_str(), c.get());
  bool elf = c->final_elf[0] != '\0';
  Napi::Object o = Napi::Object::New(env);
  o.Set("argv0", argv0);
  o.Set("resolved", StrOrNull(env, c->resolved));
  o.Set("kind", cmd_kind_name(c->kind));
  o.Set("errno", c->err);
  o.Set("code", c->err ? StrOrNull(env, probe_errno_name(c->err)) : env.Null());
  o.Set("executable", Napi::Boolean::New(env, c->executable));
  Napi::Array chain = Napi::Array::New(env, c->chain_len);
  for (int i = 0; i < c->chain_len; i++) chain.Set(static_cast<uint32_t>(i), c->chain[i]);
  o.Set("chain", chain);
  o.Set("finalElf", StrOrNull(env, c->final_elf));
  o.Set("interpreter", StrOrNull(env, c->interpreter));
  o.Set("loader", StrOrNull(env, c->loader));
  o.Set("machine", elf ? StrOrNull(env, c->machine) : env.Null());
  o.Set("libc", elf ? StrOrNull(env, c->libc) : env.Null());
  o.Set("static", Napi::Boolean::New(env, elf && c->is_static));
  o.Set("staticPie", Napi::Boolean::New(env, elf && c->static_pie));
  o.Set("go", Napi::Boolean::New(env, elf && c->go));
  o.Set("setuid", Napi::Boolean::New(env, elf && c->setuid));
  o.Set("setgid", Napi::Boolean::New(env, elf && c->setgid));
  o.Set("fileCaps", Napi::Boolean::New(env, elf && c->file_caps));
  return o;
}

// Returns 0, or the errno name on failure.
Napi::Value BecomeSubreaper(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NoArgs(info, "becomeSubreaper")) return env.Null();
  int rc = reaper_become_subreaper();
  if (rc == 0) return Napi::Number::New(env, 0);
  return Napi::String::New(env, strerrorname_np(-rc) ? strerrorname_np(-rc) : "EINVAL");
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abi", Napi::Number::New(env, PROBE_ABI));
  exports.Set("capabilities", Napi::Function::New(env, Capabilities, "capabilities"));
  exports.Set("processInfo", Napi::Function::New(env, ProcessInfo, "processInfo"));
  exports.Set("bpfProbe", Napi::Function::New(env, BpfProbe, "bpfProbe"));
  exports.Set("ptraceProbe", Napi::Function::New(env, PtraceProbe, "ptraceProbe"));
  exports.Set("elfInfo", Napi::Function::New(env, ElfInfo, "elfInfo"));
  exports.Set("resolveCommand", Napi::Function::New(env, ResolveCommand, "resolveCommand"));
  exports.Set("becomeSubreaper", Napi::Function::New(env, BecomeSubreaper, "becomeSubreaper"));
  return exports;
}

}  // namespace

NODE_API_MODULE(NODE_GYP_MODULE_NAME, Init)
