# roar-tracer-ebpf: CO-RE BPF object (clang) + libbpf loader, with libbpf,
# libelf and zlib linked statically so the binary needs only libc.
# Pipeline: roar_ebpf.bpf.c -> roar_ebpf.bpf.o -> roar_ebpf.skel.h -> binary.
# The vendored minimal vmlinux.h means no BTF is needed on the build machine.

EBPF_OUT   := $(OUT)/ebpf
EBPF_ARCH  := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
EBPF_CLANG ?= clang
EBPF_STRIP ?= llvm-strip
BPFTOOL    ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)

EBPF_SRC := $(filter-out %.bpf.c,$(wildcard ebpf/*.c))
EBPF_HDR := $(wildcard ebpf/*.h)

all: $(OUT)/roar-tracer-ebpf

$(EBPF_OUT):
	$(Q)mkdir -p $@

# -g is what makes the BTF that CO-RE relocations need; llvm-strip -g then
# drops only the DWARF.
$(EBPF_OUT)/roar_ebpf.bpf.o: ebpf/roar_ebpf.bpf.c ebpf/roar_ebpf.h ebpf/vmlinux.h | $(EBPF_OUT)
	$(call msg,BPF,$@)
	$(Q)$(EBPF_CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(EBPF_ARCH) -Wall -Werror \
		-Iebpf -c $< -o $@
	$(Q)$(EBPF_STRIP) -g $@

$(EBPF_OUT)/roar_ebpf.skel.h: $(EBPF_OUT)/roar_ebpf.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name roar_ebpf > $@

$(OUT)/roar-tracer-ebpf: $(EBPF_SRC) $(EBPF_HDR) $(EBPF_OUT)/roar_ebpf.skel.h $(COMMON_LIB) \
		$(COMMON_HDR) | $(OUT)
	$(call msg,BIN,$@)
	$(Q)$(CC) $(CFLAGS) -Iebpf -I$(EBPF_OUT) $(EBPF_SRC) $(COMMON_LIB) $(LDFLAGS) -o $@ \
		-Wl,-Bstatic -lbpf -lelf -lz -Wl,-Bdynamic
