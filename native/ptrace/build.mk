# roar-tracer-ptrace: seccomp-bpf + ptrace, no library dependencies.
PTRACE_SRC := $(wildcard ptrace/*.c)
PTRACE_HDR := $(wildcard ptrace/*.h)

all: $(OUT)/roar-tracer-ptrace

$(OUT)/roar-tracer-ptrace: $(PTRACE_SRC) $(PTRACE_HDR) $(COMMON_LIB) $(COMMON_HDR) | $(OUT)
	$(call msg,BIN,$@)
	$(Q)$(CC) $(CFLAGS) -Iptrace $(PTRACE_SRC) $(COMMON_LIB) $(LDFLAGS) -o $@
