# roar_probe: the in-process probe addon (N-API, so one build loads in any
# Node >= 20 or Electron). The probes are plain C (src/probes.c plus the
# tracers' shared native/common code); binding.cc only converts.
{
  "targets": [
    {
      "target_name": "roar_probe",
      "sources": [
        "src/binding.cc",
        "src/probes.c",
        "src/reaper.c",
        "../common/command_info.c",
        "../common/host_facts.c",
        # host_facts.c's host_fingerprint() fills a preflight report, so
        # the report builder (and its JSON writer) come along to link.
        "../common/report.c",
        "../common/json_line.c",
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "src",
        "../common",
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
      ],
      "cflags": ["-O2", "-Wall", "-Wextra", "-fvisibility=hidden", "-ffunction-sections", "-fdata-sections"],
      # -Werror for our C (as native/Makefile builds it); the C++ side
      # includes Node's and node-addon-api's headers, whose warnings are
      # not ours to fail on.
      "cflags_c": ["-std=gnu11", "-Werror"],
      "cflags_cc": ["-std=c++17"],
      "ldflags": ["-Wl,--gc-sections"],
    }
  ]
}
