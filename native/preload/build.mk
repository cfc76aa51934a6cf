# roar-tracer-preload (launcher) and libroar_preload.so (the interposer).
#
# The library is position-independent, so the two common sources it uses
# are compiled again with -fPIC into $(OUT)/preload/pic/ (libroarcommon.a
# is not PIC). -fvisibility=hidden keeps everything but the interposers
# (RP_EXPORT) out of the dynamic symbol table; -z nodelete because an
# on_exit handler and atfork handler point into the library; -z now so no
# lazy symbol resolution happens later inside a forked child or a hook;
# -z defs so a missing symbol fails the build, not a traced program.

PRELOAD_LIB_SRC := $(wildcard preload/lib/*.c)
PRELOAD_LIB_HDR := $(wildcard preload/lib/*.h) preload/preload_env.h
PRELOAD_RUN_SRC := $(wildcard preload/launcher/*.c)
PRELOAD_RUN_HDR := $(wildcard preload/launcher/*.h) preload/preload_env.h
PRELOAD_PIC_OBJ := $(patsubst %,$(OUT)/preload/pic/%.o,json_line events path_norm)
PRELOAD_CFLAGS  := $(CFLAGS) -Ipreload -fPIC -fvisibility=hidden -U_FORTIFY_SOURCE

all: $(OUT)/roar-tracer-preload $(OUT)/libroar_preload.so

$(OUT)/preload/pic:
	$(Q)mkdir -p $@

$(OUT)/preload/pic/%.o: common/%.c $(COMMON_HDR) | $(OUT)/preload/pic
	$(call msg,CC,$@)
	$(Q)$(CC) $(PRELOAD_CFLAGS) -c $< -o $@

$(OUT)/libroar_preload.so: $(PRELOAD_LIB_SRC) $(PRELOAD_LIB_HDR) $(PRELOAD_PIC_OBJ) | $(OUT)
	$(call msg,LIB,$@)
	$(Q)$(CC) $(PRELOAD_CFLAGS) -shared -Wl,-z,defs -Wl,-z,nodelete -Wl,-z,now \
		$(PRELOAD_LIB_SRC) $(PRELOAD_PIC_OBJ) $(LDFLAGS) -o $@

$(OUT)/roar-tracer-preload: $(PRELOAD_RUN_SRC) $(PRELOAD_RUN_HDR) $(COMMON_LIB) $(COMMON_HDR) | $(OUT)
	$(call msg,BIN,$@)
	$(Q)$(CC) $(CFLAGS) -Ipreload $(PRELOAD_RUN_SRC) $(COMMON_LIB) $(LDFLAGS) -o $@
