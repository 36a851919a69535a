# scripts/setup-hugetlbfs.sh for real: reserve 2 MiB pages, mount
# hugetlbfs; a second run must change nothing.
# checks: hugetlbfs_setup
. /ixy/lib.sh

nr_file=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
before=$(cat $nr_file)
out1=$(bash "$IXY_SCRIPTS/setup-hugetlbfs.sh" --pages 64 2>&1)
rc1=$?
nr=$(cat $nr_file)
mnt=$(awk '$2 == "/mnt/huge" && $3 == "hugetlbfs" { print $4 }' /proc/mounts)
out2=$(bash "$IXY_SCRIPTS/setup-hugetlbfs.sh" --pages 64 2>&1)
rc2=$?
nmounts=$(awk '$2 == "/mnt/huge"' /proc/mounts | wc -l)
detail="nr_hugepages $before -> $nr; /mnt/huge options '${mnt:-not mounted}'; first run rc $rc1: $out1; second run rc $rc2: $out2; mounts on /mnt/huge: $nmounts"
ok() {
	((rc1 == 0 && rc2 == 0 && before == 0 && nr >= 64 && nmounts == 1)) &&
		[[ $mnt == *pagesize=2M* && $out2 == *"leaving it"* && $out2 == *"already mounted"* ]]
}
ixy_expect hugetlbfs_setup "$detail" ok
