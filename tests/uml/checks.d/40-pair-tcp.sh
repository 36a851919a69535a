# shellcheck shell=bash
# A TCP transfer of the host's 20 MiB random file from port a to port b
# through the model, TX offloads off (15-netns.sh); the received bytes must
# hash to the sent ones. 80-offloads.sh repeats it with Linux's offloads.
# checks: pair_tcp_plain
# shellcheck source=tests/uml/lib.sh
. "$(dirname "$0")/../lib.sh"

pair_transfer pair_tcp_plain
