# Makefile - builds sfemu (and later sfbridge), runs the tests, fuzzers and benchmarks.
#
#   make            dev build in build/
#   make test       install deps, build, run every suite; ends "N passed, N failed"
#   make asan       the same tests under AddressSanitizer + UBSan (build/asan/)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 60), under ASan
#   make bench      every benchmark; make bench B=login for one
#   make run        sfemu with the demo org and the sfbridge console
#   make release    hardened optimised build in build/release/

BUILD   ?= build
CC      ?= cc
PKGS    := libmicrohttpd jansson libxml-2.0 sqlite3 libcrypto libssl libcurl libsodium
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

STD     := -std=c11 -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wvla -Wwrite-strings \
	   -Wpointer-arith -Wimplicit-fallthrough -fno-common \
	   -fvisibility=hidden
# Messages and log lines are bounded on purpose: truncation is the intent.
# (gcc only; clang has no such warning and would reject the flag.)
ifeq ($(findstring clang,$(CC)),)
WARN    += -Wno-format-truncation
endif
ifneq ($(SFS_WERROR),OFF)
WARN    += -Werror
endif
OPT     ?= -O1 -g
EXTRA   ?=
CFLAGS_ALL = $(STD) $(WARN) $(OPT) $(EXTRA) -Iinclude -Ilib -Isrc $(PKG_CFLAGS) -MMD -MP
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm

BASE_SRC := $(wildcard lib/base/*.c)
SF_SRC   := $(wildcard lib/sf/*.c)
EMU_SRC  := $(filter-out src/emu/main.c,$(wildcard src/emu/*.c))
BRIDGE_SRC := $(filter-out src/bridge/main.c,$(wildcard src/bridge/*.c src/bridge/*/*.c))
BASE_OBJ := $(BASE_SRC:%.c=$(BUILD)/obj/%.o)
SF_OBJ   := $(SF_SRC:%.c=$(BUILD)/obj/%.o)
EMU_OBJ  := $(EMU_SRC:%.c=$(BUILD)/obj/%.o)
BRIDGE_OBJ := $(BRIDGE_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# Keep intermediate objects (unit-test .o files) between runs.
.SECONDARY:

.PHONY: all test asan tsan release fuzz bench run deps clean check-banned
ITEST_SRC := $(wildcard tests/integration/itest_*.c)
ITEST_BIN := $(ITEST_SRC:tests/integration/%.c=$(BUILD)/tests/%)
all: $(BUILD)/sfemu $(if $(wildcard src/bridge/main.c),$(BUILD)/sfbridge) $(UNIT_BIN) $(ITEST_BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/sfemu: $(BUILD)/obj/src/emu/main.o $(EMU_OBJ) $(BASE_OBJ)
	$(CC) $(OPT) $(EXTRA) $^ -o $@ $(LDLIBS_ALL)

$(BUILD)/sfbridge: $(BUILD)/obj/src/bridge/main.o $(BRIDGE_OBJ) $(SF_OBJ) $(BASE_OBJ)
	$(CC) $(OPT) $(EXTRA) $^ -o $@ $(LDLIBS_ALL)

# Unit tests link everything but main(); cmocka drives them.
$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(BUILD)/obj/tests/unit/tmpdir.o $(EMU_OBJ) $(SF_OBJ) $(BRIDGE_OBJ) $(BASE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(EXTRA) $^ -o $@ $(LDLIBS_ALL) -lcmocka

# C integration tests (libsf against a running sfemu; tests/integration/*.sh start it).
$(BUILD)/tests/itest_%: $(BUILD)/obj/tests/integration/itest_%.o $(SF_OBJ) $(BRIDGE_OBJ) $(BASE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(EXTRA) $^ -o $@ $(LDLIBS_ALL)

deps:
	@scripts/deps

test: deps
	@$(MAKE) --no-print-directory all
	@tests/run $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory all BUILD=build/asan OPT="-O1 -g" \
		EXTRA="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	@ASAN_OPTIONS=detect_leaks=1 tests/run build/asan

tsan: deps
	@$(MAKE) --no-print-directory all BUILD=build/tsan OPT="-O1 -g" EXTRA="-fsanitize=thread"
	@tests/run build/tsan

release:
	@$(MAKE) --no-print-directory $(BUILD)/release/sfemu $(BUILD)/release/sfbridge \
		BUILD=build/release \
		OPT="-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE" \
		EXTRA="-pie -Wl,-z,relro,-z,now"

# libFuzzer targets: fuzz/fuzz_<parser>.c, seeded from fuzz/corpus/<parser>/.
# Every one links fuzz/harness.c (the router-level targets' org, requests and
# checks) and fuzz/lines.c (their inputs' '@' lines); neither is a target
# itself, as only fuzz_*.c are. They all link
# sfbridge's objects too (fuzz_web needs them; one list keeps one rule).
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build/fuzz/bin/%)
FUZZ_OBJ := $(BASE_SRC:%.c=build/fuzz/obj/%.o) $(EMU_SRC:%.c=build/fuzz/obj/%.o) $(SF_SRC:%.c=build/fuzz/obj/%.o) \
	$(BRIDGE_SRC:%.c=build/fuzz/obj/%.o) build/fuzz/obj/fuzz/harness.o \
	build/fuzz/obj/fuzz/lines.o
# FORCE: the binary also depends on every object, which only the sub-make
# knows about; without it a product change never reached the fuzzers. (-s:
# that sub-make runs once per binary and would list every up-to-date object.)
build/fuzz/bin/%: fuzz/%.c FORCE
	@$(MAKE) -s --no-print-directory BUILD=build/fuzz CC=clang OPT="-O1 -g" \
		EXTRA="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
		$(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	clang $(STD) $(filter-out -Wno-format-truncation,$(WARN)) -O1 -g -Iinclude -Ilib -Isrc $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer $< \
		$(FUZZ_OBJ) -o $@ $(LDLIBS_ALL)
fuzz: deps $(FUZZ_BIN)
	@scripts/fuzz-all $(FUZZ_SECONDS) $(FUZZ_BIN)
.PHONY: FORCE
FORCE:

# Benchmarks run an optimised build of everything (build/bench/), their
# programs linked with libsf like any client, and with bench/common.c (what
# they share; no bench_ prefix, so no benchmark of its own).
B ?=
BENCH_SRC := $(wildcard bench/bench_*.c)
$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/obj/bench/common.o $(SF_OBJ) $(BASE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(EXTRA) $^ -o $@ $(LDLIBS_ALL)
bench: deps
	@$(MAKE) -s --no-print-directory BUILD=build/bench OPT="-O2 -g" all \
		$(BENCH_SRC:bench/%.c=build/bench/bench/%)
	@scripts/bench-all build/bench $(B)

run: deps all
	@scripts/run-demo $(BUILD)

check-banned:
	@! grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|gmtime|localtime)\s*\(' \
		lib src --include=*.c | grep -v 'banned.h'

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
