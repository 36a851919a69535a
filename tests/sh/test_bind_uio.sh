#!/usr/bin/env bash
# Tests for scripts/bind-uio.sh on fake sysfs trees of plain files.
# Usage: bash tests/sh/test_bind_uio.sh SOURCE_DIR [BUILD_DIR]
#
# Every test builds its own tree, snapshots it (content, mtime, link targets),
# runs the script, and asserts exactly which files changed and what they hold.
# A fake "kernel" does not move the driver link after a write, so the script
# only checks the link on a real sysfs (or with --verify, tested below).
set -uo pipefail

SRC=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
SCRIPT=$SRC/scripts/bind-uio.sh
TMP=$(mktemp -d /tmp/ixy-test-bind-uio.XXXXXX)
# shellcheck source=tests/sh/harness.sh
source "$SRC/tests/sh/harness.sh"
trap 'rm -rf "$TMP"' EXIT

A=0000:01:00.0 # ixgbe port, interface eth1 down
B=0000:01:00.1 # ixgbe port, interface eth2 up: the device nobody names
N=0000:02:00.0 # an NVMe controller, class 0x010802

# bu ARGS...: run on this test's tree and state dir.
bu() { run --sysfs-root "$R" --state-dir "$S" "$@"; }

mk_tree() {
	local r=$1 d
	mkdir -p "$r/bus/pci/devices" "$r/devices/pci0000:00" "$r/kernel/iommu_groups/7"
	for d in ixgbe uio_pci_generic vfio-pci nvme; do
		mkdir -p "$r/bus/pci/drivers/$d"
		: >"$r/bus/pci/drivers/$d/bind"
		: >"$r/bus/pci/drivers/$d/unbind"
	done
	: >"$r/bus/pci/drivers_probe"
}

# mk_dev ROOT ADDR CLASS VENDOR:DEVICE DRIVER|none [IF:FLAGS|SUB/IF:FLAGS ...]
mk_dev() {
	local r=$1 addr=$2 class=$3 id=$4 drv=$5 i name
	shift 5
	local p=$r/devices/pci0000:00/$addr
	mkdir -p "$p"
	printf '%s\n' "$class" >"$p/class"
	printf '0x%s\n' "${id%%:*}" >"$p/vendor"
	printf '0x%s\n' "${id#*:}" >"$p/device"
	printf '(null)\n' >"$p/driver_override" # what an unset override reads
	if [[ $drv != none ]]; then
		ln -s "../../../bus/pci/drivers/$drv" "$p/driver"
	fi
	ln -s "../../../devices/pci0000:00/$addr" "$r/bus/pci/devices/$addr"
	for i in "$@"; do
		name=${i%%:*}
		if [[ $name == */* ]]; then # virtio style: virtio0/net/eth0
			mkdir -p "$p/${name%%/*}/net/${name#*/}"
			printf '%s\n' "${i#*:}" >"$p/${name%%/*}/net/${name#*/}/flags"
		else
			mkdir -p "$p/net/$name"
			printf '%s\n' "${i#*:}" >"$p/net/$name/flags"
		fi
	done
}

dev_dir() { printf '%s/devices/pci0000:00/%s' "$R" "$1"; }
set_driver() {
	rm -f "$(dev_dir "$1")/driver"
	if [[ $2 != none ]]; then
		ln -s "../../../bus/pci/drivers/$2" "$(dev_dir "$1")/driver"
	fi
}

# The standard tree: A and B (two ports of an 82599), the NVMe controller.
std_tree() {
	mk_tree "$R"
	mk_dev "$R" "$A" 0x020000 8086:10fb ixgbe eth1:0x1002
	mk_dev "$R" "$B" 0x020000 8086:10fb ixgbe eth2:0x1003
	mk_dev "$R" "$N" 0x010802 144d:a808 nvme
}

D=/bus/pci/drivers

# ---------------------------------------------------------------- tests

test_help() {
	run --help
	expect_rc 0
	expect_contains "help" "$OUT" "Usage:"
	expect_contains "help" "$OUT" "--dry-run"
	expect_contains "help" "$OUT" "--restore"
	expect_eq "stderr" "$ERR" ""
}

test_shellcheck() {
	if ! command -v shellcheck >/dev/null; then
		skip "shellcheck not installed"
		return
	fi
	OUT=$(shellcheck "$SCRIPT" 2>&1)
	RC=$?
	ERR=
	expect_rc 0
}

test_usage_errors() {
	std_tree
	local before
	before=$(snap "$R")
	bu
	expect_rc 2
	expect_one_line_error
	expect_contains "no action" "$ERR" "no action"
	bu "$A" --bind e1000e
	expect_rc 2
	expect_one_line_error
	expect_contains "bad driver" "$ERR" "uio_pci_generic or vfio-pci, not 'e1000e'"
	bu "$A" --frobnicate
	expect_rc 2
	expect_contains "unknown option" "$ERR" "unknown option '--frobnicate'"
	bu --unbind
	expect_rc 2
	expect_contains "no address" "$ERR" "needs a PCI address"
	bu "$A" --unbind --restore
	expect_rc 2
	expect_contains "two actions" "$ERR" "only one of"
	bu "$A" --bind
	expect_rc 2
	expect_contains "missing value" "$ERR" "--bind needs a value"
	expect_changed "$before"
}

test_malformed_addresses() {
	std_tree
	local before a
	before=$(snap "$R")
	for a in 01:00 0000:01:00.8 0000:01:20.0 g1:00.0 00000:01:00.0 \
		0000:01:00.0x 1:00.0 0000-01-00.0 "" "0000:01:00.0 "; do
		bu "$a" --unbind
		expect_rc 2
		expect_one_line_error
		expect_contains "address '$a'" "$ERR" "malformed PCI address '$a'"
	done
	expect_changed "$before"
	expect_absent "$S"
}

test_address_normalised() {
	mk_tree "$R"
	mk_dev "$R" 0000:0a:1f.7 0x020000 8086:10fb ixgbe
	local a
	for a in 0A:1F.7 0000:0a:1f.7 0000:0A:1f.7; do
		bu "$a" --unbind --dry-run
		expect_rc 0
		expect_eq "dry run of $a" "$OUT" \
			"would remember original driver 'ixgbe' in $S/0000:0a:1f.7
would write '0000:0a:1f.7' to $R/bus/pci/devices/0000:0a:1f.7/driver/unbind
dry run, nothing changed: 0000:0a:1f.7: unbound from ixgbe, no driver now"
	done
}

test_missing_device() {
	std_tree
	local before
	before=$(snap "$R")
	bu 0000:05:00.0 --unbind
	expect_rc 3
	expect_one_line_error
	expect_contains "missing" "$ERR" "0000:05:00.0: no such PCI device"
	expect_changed "$before"
}

test_refuses_non_network() {
	std_tree
	local before
	before=$(snap "$R")
	bu "$N" --unbind
	expect_rc 3
	expect_one_line_error
	expect_contains "class" "$ERR" "class 0x010802 is not a network controller"
	bu "$N" --bind uio_pci_generic --no-modprobe --force
	expect_rc 3
	expect_changed "$before"
	expect_absent "$S"
}

test_unbind() {
	std_tree
	local before
	before=$(snap "$R")
	bu "$A" --unbind
	expect_rc 0
	expect_eq "stderr" "$ERR" ""
	expect_changed "$before" bus/pci/drivers/ixgbe/unbind
	expect_file "$R$D/ixgbe/unbind" "$A"
	expect_file "$S/$A" $'ixgbe\n'
	expect_absent "$S/$B"
	expect_contains "output" "$OUT" "wrote '$A' to $R/bus/pci/devices/$A/driver/unbind"
}

test_unbind_without_driver() {
	std_tree
	set_driver "$A" none
	local before
	before=$(snap "$R")
	bu "$A" --unbind
	expect_rc 0
	expect_contains "output" "$OUT" "has no driver, nothing to do"
	expect_changed "$before"
	expect_absent "$S/$A"
}

test_bind_uio_pci_generic() {
	std_tree
	local before lines
	before=$(snap "$R")
	bu "$A" --bind uio_pci_generic --no-modprobe
	expect_rc 0
	expect_changed "$before" "devices/pci0000:00/$A/driver_override" \
		bus/pci/drivers/ixgbe/unbind bus/pci/drivers/uio_pci_generic/bind
	expect_file "$(dev_dir "$A")/driver_override" uio_pci_generic
	expect_file "$R$D/ixgbe/unbind" "$A"
	expect_file "$R$D/uio_pci_generic/bind" "$A"
	expect_file "$S/$A" $'ixgbe\n'
	# Order matters to the kernel: override, then unbind, then bind.
	lines=$(grep '^wrote' <<<"$OUT")
	expect_eq "writes in order" "$lines" \
		"wrote 'uio_pci_generic' to $R/bus/pci/devices/$A/driver_override
wrote '$A' to $R/bus/pci/devices/$A/driver/unbind
wrote '$A' to $R/bus/pci/drivers/uio_pci_generic/bind"
	expect_contains "summary" "$OUT" "$A: bound to uio_pci_generic (was ixgbe)"
}

test_bind_vfio_needs_iommu_group() {
	std_tree
	local before
	before=$(snap "$R")
	bu "$A" --bind vfio-pci --no-modprobe
	expect_rc 3
	expect_one_line_error
	expect_contains "iommu" "$ERR" "no IOMMU group"
	expect_contains "iommu hint" "$ERR" "intel_iommu=on"
	expect_changed "$before"
	expect_absent "$S"
}

test_bind_vfio_names_group_members_and_gives_node_to_user() {
	std_tree
	# A and B share IOMMU group 7; B stays with ixgbe
	ln -s ../../../kernel/iommu_groups/7 "$(dev_dir "$A")/iommu_group"
	ln -s ../../../kernel/iommu_groups/7 "$(dev_dir "$B")/iommu_group"
	mkdir -p "$R/kernel/iommu_groups/7/devices"
	ln -s "../../../../devices/pci0000:00/$A" "$R/kernel/iommu_groups/7/devices/$A"
	ln -s "../../../../devices/pci0000:00/$B" "$R/kernel/iommu_groups/7/devices/$B"
	mkdir -p "$TMP/devvfio"
	: >"$TMP/devvfio/7"
	chown 0 "$TMP/devvfio/7" 2>/dev/null || true
	local me
	me=$(id -un)
	IXY_VFIO_DEV=$TMP/devvfio bu "$A" --bind vfio-pci --no-modprobe --user "$me"
	expect_rc 0
	expect_contains "group" "$OUT" "$A: IOMMU group 7, VFIO node $TMP/devvfio/7"
	expect_contains "member" "$ERR" "group 7 also holds $B (driver ixgbe)"
	expect_contains "type1" "$ERR" "modprobe vfio_iommu_type1"
	expect_contains "user" "$OUT" "$TMP/devvfio/7 now belongs to $me"
	expect_eq "owner" "$(stat -c %U "$TMP/devvfio/7")" "$me"
	expect_contains "memlock hint" "$OUT" "RLIMIT_MEMLOCK"
	# --user belongs to --bind vfio-pci only
	bu "$A" --unbind --user "$me"
	expect_rc 2
	expect_contains "usage" "$ERR" "--user goes with --bind vfio-pci"
}

test_bind_vfio_keeps_first_original() {
	std_tree
	ln -s ../../../kernel/iommu_groups/7 "$(dev_dir "$A")/iommu_group"
	set_driver "$A" uio_pci_generic
	printf 'uio_pci_generic\n' >"$(dev_dir "$A")/driver_override"
	mkdir -p "$S"
	printf 'ixgbe\n' >"$S/$A"
	local before
	before=$(snap "$R")
	bu "$A" --bind vfio-pci --no-modprobe
	expect_rc 0
	expect_changed "$before" "devices/pci0000:00/$A/driver_override" \
		bus/pci/drivers/uio_pci_generic/unbind bus/pci/drivers/vfio-pci/bind
	expect_file "$(dev_dir "$A")/driver_override" vfio-pci
	expect_file "$R$D/uio_pci_generic/unbind" "$A"
	expect_file "$R$D/vfio-pci/bind" "$A"
	expect_file "$S/$A" $'ixgbe\n' # the driver before the *first* change
	expect_not_contains "output" "$OUT" "remembered"
}

test_bind_already_bound() {
	std_tree
	set_driver "$A" uio_pci_generic
	local before
	before=$(snap "$R")
	bu "$A" --bind uio_pci_generic --no-modprobe
	expect_rc 0
	expect_contains "output" "$OUT" "already bound to uio_pci_generic, nothing to do"
	expect_changed "$before"
	expect_absent "$S"
}

test_refuses_interface_up() {
	std_tree
	local before
	before=$(snap "$R")
	bu "$B" --unbind
	expect_rc 3
	expect_one_line_error
	expect_contains "up" "$ERR" "interface eth2 is up"
	expect_contains "hint" "$ERR" "--force"
	bu "$B" --bind uio_pci_generic --no-modprobe
	expect_rc 3
	expect_changed "$before"
	expect_absent "$S"
	bu "$B" --unbind --force
	expect_rc 0
	expect_contains "warning" "$ERR" "interface eth2 is up, going ahead because of --force"
	expect_changed "$before" bus/pci/drivers/ixgbe/unbind
	expect_file "$R$D/ixgbe/unbind" "$B"
}

# All named devices are checked before any is changed.
test_multiple_addresses_all_or_nothing() {
	std_tree
	local before
	before=$(snap "$R")
	bu "$A" "$B" --unbind
	expect_rc 3
	expect_changed "$before"
	expect_absent "$S"
	# A named twice (two spellings) is unbound once.
	bu "$A" 01:00.0 --unbind
	expect_rc 0
	expect_eq "writes" "$(grep -c '^wrote' <<<"$OUT")" 1
	expect_file "$R$D/ixgbe/unbind" "$A"
}

test_dry_run_changes_nothing() {
	std_tree
	local before
	before=$(snap "$R")
	bu "$A" --bind uio_pci_generic --dry-run
	expect_rc 0
	expect_changed "$before"
	expect_absent "$S"
	expect_eq "dry run output" "$OUT" \
		"would remember original driver 'ixgbe' in $S/$A
would write 'uio_pci_generic' to $R/bus/pci/devices/$A/driver_override
would write '$A' to $R/bus/pci/devices/$A/driver/unbind
would write '$A' to $R/bus/pci/drivers/uio_pci_generic/bind
dry run, nothing changed: $A: bound to uio_pci_generic (was ixgbe)"
	# Restore in dry-run keeps the state file.
	set_driver "$A" uio_pci_generic
	mkdir -p "$S"
	printf 'ixgbe\n' >"$S/$A"
	before=$(snap "$R")
	bu "$A" --restore --dry-run
	expect_rc 0
	expect_changed "$before"
	expect_file "$S/$A" $'ixgbe\n'
	expect_contains "dry restore" "$OUT" "would write '$A' to $R/bus/pci/drivers/ixgbe/bind"
	expect_contains "dry restore" "$OUT" "would remove $S/$A"
}

fake_modprobe() { # fake_modprobe SCRIPT-BODY: a modprobe first in PATH
	mkdir -p "$T/bin"
	printf '#!/usr/bin/env bash\nprintf "%%s\\n" "$*" >>"%s/modprobe.log"\n%s\n' "$T" "$1" >"$T/bin/modprobe"
	chmod +x "$T/bin/modprobe"
}

test_modprobe_loads_missing_driver() {
	std_tree
	rm -rf "$R$D/uio_pci_generic"
	# The fake module load makes the driver directory appear, like the kernel.
	fake_modprobe "mkdir -p '$R$D/'\"\$1\"; : >'$R$D/'\"\$1\"/bind; : >'$R$D/'\"\$1\"/unbind"
	PATH=$T/bin:$PATH bu "$A" --bind uio_pci_generic
	expect_rc 0
	expect_file "$T/modprobe.log" $'uio_pci_generic\n'
	expect_file "$R$D/uio_pci_generic/bind" "$A"
	expect_contains "output" "$OUT" "ran: modprobe uio_pci_generic"
}

test_modprobe_skipped_when_loaded() {
	std_tree
	fake_modprobe "exit 0"
	PATH=$T/bin:$PATH bu "$A" --bind uio_pci_generic
	expect_rc 0
	expect_absent "$T/modprobe.log"
}

test_modprobe_failure() {
	std_tree
	rm -rf "$R$D/uio_pci_generic"
	# shellcheck disable=SC2016 # expands in the fake modprobe
	fake_modprobe 'echo "modprobe: FATAL: Module $1 not found in directory /lib/modules/x" >&2; exit 1'
	local before
	before=$(snap "$R")
	PATH=$T/bin:$PATH bu "$A" --bind uio_pci_generic
	expect_rc 1
	expect_one_line_error
	expect_contains "error" "$ERR" "modprobe uio_pci_generic failed: modprobe: FATAL: Module uio_pci_generic not found"
	expect_changed "$before"
	expect_absent "$S"
}

test_no_modprobe_and_not_loaded() {
	std_tree
	rm -rf "$R$D/uio_pci_generic"
	fake_modprobe "exit 0"
	local before
	before=$(snap "$R")
	PATH=$T/bin:$PATH bu "$A" --bind uio_pci_generic --no-modprobe
	expect_rc 1
	expect_one_line_error
	expect_contains "error" "$ERR" "driver uio_pci_generic is not loaded"
	expect_contains "hint" "$ERR" "modprobe uio_pci_generic"
	expect_absent "$T/modprobe.log"
	expect_changed "$before"
	# Dry run only says it would load the module.
	PATH=$T/bin:$PATH bu "$A" --bind uio_pci_generic --dry-run
	expect_rc 0
	expect_contains "dry run" "$OUT" "would run: modprobe uio_pci_generic"
	expect_absent "$T/modprobe.log"
	expect_changed "$before"
}

test_restore_original_driver() {
	std_tree
	set_driver "$A" uio_pci_generic
	printf 'uio_pci_generic\n' >"$(dev_dir "$A")/driver_override"
	mkdir -p "$S"
	printf 'ixgbe\n' >"$S/$A"
	local before
	before=$(snap "$R")
	bu "$A" --restore --no-modprobe
	expect_rc 0
	expect_changed "$before" "devices/pci0000:00/$A/driver_override" \
		bus/pci/drivers/uio_pci_generic/unbind bus/pci/drivers/ixgbe/bind
	expect_file "$(dev_dir "$A")/driver_override" $'\n' # clears it
	expect_file "$R$D/uio_pci_generic/unbind" "$A"
	expect_file "$R$D/ixgbe/bind" "$A"
	expect_absent "$S/$A"
	expect_contains "summary" "$OUT" "$A: restored to ixgbe (was uio_pci_generic)"
}

test_restore_to_no_driver() {
	std_tree
	set_driver "$A" uio_pci_generic
	printf 'uio_pci_generic\n' >"$(dev_dir "$A")/driver_override"
	mkdir -p "$S"
	printf 'none\n' >"$S/$A"
	local before
	before=$(snap "$R")
	bu "$A" --restore
	expect_rc 0
	expect_changed "$before" "devices/pci0000:00/$A/driver_override" \
		bus/pci/drivers/uio_pci_generic/unbind
	expect_file "$R$D/uio_pci_generic/unbind" "$A"
	expect_absent "$S/$A"
	expect_contains "summary" "$OUT" "had no driver originally, left without one"
}

test_restore_without_state_probes() {
	std_tree
	set_driver "$A" none
	local before
	before=$(snap "$R")
	bu "$A" --restore
	expect_rc 0
	expect_changed "$before" bus/pci/drivers_probe
	expect_file "$R/bus/pci/drivers_probe" "$A"
	expect_contains "output" "$OUT" "no original driver remembered"
	# Bound to a kernel driver and nothing remembered: leave it alone.
	set_driver "$A" ixgbe
	before=$(snap "$R")
	bu "$A" --restore
	expect_rc 0
	expect_contains "output" "$OUT" "nothing to restore"
	expect_changed "$before"
}

test_restore_already_original() {
	std_tree
	mkdir -p "$S"
	printf 'ixgbe\n' >"$S/$A"
	local before
	before=$(snap "$R")
	bu "$A" --restore
	expect_rc 0
	expect_contains "output" "$OUT" "already bound to its original driver ixgbe"
	expect_changed "$before"
	expect_absent "$S/$A"
}

# --verify on a fake tree: the fake kernel never moves the driver link, so
# the check must catch that the device is still on its old driver.
test_verify_reports_failed_change() {
	std_tree
	bu "$A" --unbind --verify
	expect_rc 1
	expect_one_line_error
	expect_contains "verify" "$ERR" "$A: after the writes the device has driver 'ixgbe', expected none"
	set_driver "$A" ixgbe
	bu "$A" --bind uio_pci_generic --no-modprobe --verify
	expect_rc 1
	expect_contains "verify" "$ERR" "has driver 'ixgbe', expected uio_pci_generic"
	# Without --verify a fake tree (not a sysfs mount) is not checked.
	bu "$A" --unbind
	expect_rc 0
}

test_write_error_reported() {
	std_tree
	rm "$R$D/uio_pci_generic/bind"
	mkdir "$R$D/uio_pci_generic/bind" # writing to it fails with EISDIR
	bu "$A" --bind uio_pci_generic --no-modprobe
	expect_rc 1
	expect_one_line_error
	expect_contains "error" "$ERR" "cannot write '$A' to $R/bus/pci/drivers/uio_pci_generic/bind: Is a directory"
	expect_contains "hint" "$ERR" "--restore goes back"
	# Missing attribute: refused instead of creating a file.
	rm "$(dev_dir "$B")/driver_override"
	bu "$B" --bind uio_pci_generic --no-modprobe --force
	expect_rc 1
	expect_contains "error" "$ERR" "driver_override: no such file"
	expect_absent "$(dev_dir "$B")/driver_override"
}

test_status() {
	mk_tree "$R"
	mk_dev "$R" "$A" 0x020000 8086:10fb none
	mk_dev "$R" "$B" 0x020000 8086:10fb ixgbe eth2:0x1003
	mk_dev "$R" 0000:03:00.0 0x020000 1af4:1041 virtio-pci virtio0/eth0:0x1002
	mk_dev "$R" 0000:04:00.0 0x020000 8086:1528 ixgbe eth3:0x1003 eth4:0x1002
	mk_dev "$R" "$N" 0x010802 144d:a808 nvme
	mkdir -p "$S"
	printf 'ixgbe\n' >"$S/$A"
	local before
	before=$(snap "$R")
	bu --status
	expect_rc 0
	expect_eq "status" "$(awk '{$1 = $1; print}' <<<"$OUT")" \
		"ADDRESS ID DRIVER INTERFACES ORIGINAL
$A 8086:10fb none - ixgbe
$B 8086:10fb ixgbe eth2:up -
0000:03:00.0 1af4:1041 virtio-pci eth0:down -
0000:04:00.0 8086:1528 ixgbe eth3:up,eth4:down -"
	bu --status 01:00.1
	expect_rc 0
	expect_eq "status of one" "$(awk 'NR == 2 {$1 = $1; print}' <<<"$OUT")" "$B 8086:10fb ixgbe eth2:up -"
	expect_eq "status lines" "$(wc -l <<<"$OUT")" 2
	expect_changed "$before"
}

test_status_without_network_devices() {
	mk_tree "$R"
	mk_dev "$R" "$N" 0x010802 144d:a808 nvme
	bu --status
	expect_rc 0
	expect_eq "status" "$OUT" "no PCI network devices (class 0x02) under $R/bus/pci/devices"
	mkdir -p "$T/empty"
	run --sysfs-root "$T/empty" --status
	expect_rc 0
	expect_contains "no bus" "$OUT" "no PCI network devices: there is no PCI bus"
}

# Smoke run on this machine's real /sys: read-only.
test_status_real_sysfs() {
	local d want=0 got addr
	bu_real() { run --state-dir "$S" --status; }
	bu_real
	expect_rc 0
	printf '%s\n' "$OUT" | sed 's/^/    | /'
	for d in /sys/bus/pci/devices/*; do
		[[ -r $d/class && $(<"$d/class") == 0x02* ]] && want=$((want + 1))
	done
	if ((want == 0)); then
		expect_contains "none" "$OUT" "no PCI network devices"
		return
	fi
	got=$(($(wc -l <<<"$OUT") - 1))
	expect_eq "listed devices" "$got" "$want"
	while read -r addr _; do
		[[ $(<"/sys/bus/pci/devices/$addr/class") == 0x02* ]] || fail "$addr listed but not class 0x02"
	done < <(tail -n +2 <<<"$OUT")
}

# Not root: changes are refused, status and dry-run still work.
test_refuses_non_root() {
	local pub as_user=()
	if [[ $EUID -eq 0 ]]; then
		if command -v setpriv >/dev/null; then
			as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
		elif command -v runuser >/dev/null; then
			as_user=(runuser -u nobody --)
		else
			skip "root, and neither setpriv nor runuser to drop privileges"
			return
		fi
	fi
	pub=$T/pub
	mkdir -p "$pub"
	chmod 755 "$TMP" "$T" "$pub"
	cp "$SCRIPT" "$pub/bind-uio.sh"
	R=$pub/sys
	S=$pub/state
	std_tree
	chmod -R a+rX "$pub"
	local before
	before=$(snap "$R")
	OUT=$("${as_user[@]}" bash "$pub/bind-uio.sh" --sysfs-root "$R" --state-dir "$S" "$A" --unbind 2>"$TMP/stderr")
	RC=$?
	ERR=$(<"$TMP/stderr")
	expect_rc 3
	expect_one_line_error
	expect_contains "root" "$ERR" "must be root"
	OUT=$("${as_user[@]}" bash "$pub/bind-uio.sh" --sysfs-root "$R" --state-dir "$S" --status 2>"$TMP/stderr")
	RC=$?
	ERR=$(<"$TMP/stderr")
	expect_rc 0
	expect_contains "status" "$OUT" "$A"
	OUT=$("${as_user[@]}" bash "$pub/bind-uio.sh" --sysfs-root "$R" --state-dir "$S" "$A" --unbind --dry-run 2>"$TMP/stderr")
	RC=$?
	ERR=$(<"$TMP/stderr")
	expect_rc 0
	expect_contains "dry run" "$OUT" "would write '$A'"
	expect_changed "$before"
	expect_absent "$S"
}

run_all
