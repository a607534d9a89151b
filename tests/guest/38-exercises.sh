#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The figures of docs/exercises.md's answers, on this kernel: each row of
# exercises.tsv that holds here (its page size, architecture, kernel
# version, NUMA nodes) runs its lab command in a fresh lab and finds the
# value the answer quotes, in what the write returned, the refusal's
# limit, the command's section or a load-time section.  The static lane
# checks that the answers quote these very values.
# kd-boot: slub
# kd-class: kernel numa
# kd-timeout: 120
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

ps=$(kd_page_size)
arch=$(uname -m)
kver=$(uname -r | sed 's/^\([0-9]*\)\.\([0-9]*\).*/\1 \2/')
# The nodes with memory: has_memory is a list ("0", "0-1", "0,2").
nodes=$(tr ',' '\n' </sys/devices/system/node/has_memory 2>/dev/null |
	awk -F- '{ n += NF == 2 ? $2 - $1 + 1 : 1 } END { print n + 0 }')
[ "$nodes" -gt 0 ] || nodes=1

# version_lt X.Y -- the running kernel is older than X.Y.
version_lt() {
	echo "$kver ${1%.*} ${1#*.}" | awk '{ exit !($1 < $3 || ($1 == $3 && $2 < $4)) }'
}

# holds WHEN -- every condition of the row's "when" holds here.
holds() {
	[ "$1" = - ] && return 0
	echo "$1" | tr ',' '\n' | while read -r c; do
		case $c in
		ps=*) [ "${c#ps=}" = "$ps" ] ;;
		arch=*) [ "${c#arch=}" = "$arch" ] ;;
		nodes=*) [ "${c#nodes=}" = "$nodes" ] ;;
		'k<'*) version_lt "${c#k<}" ;;
		'k>='*) ! version_lt "${c#k>=}" ;;
		*) echo "exercises.tsv: unknown condition $c" >&2; false ;;
		esac || { echo no; break; }
	done | grep -q no && return 1
	return 0
}

t_run "load" kd_load
cat "$KD_PROC" >/tmp/ex.load
tab=$(printf '\t')
last='' n=0
while IFS=$tab read -r id when lab check want; do
	case $id in '#'* | '') continue ;; esac
	holds "$when" || continue
	n=$((n + 1))
	if [ "$lab" != - ] && [ "$id $lab" != "$last" ]; then
		kd_lab "free all" >/dev/null
		kd_dmesg_mark
		res=$(kd_lab "$lab" 2>&1)
		cat "$KD_PROC" >/tmp/ex.now
		sec="lab $(kd_lab_last)"
		last="$id $lab"
	fi
	case $check in
	result) got=$res ;;
	limit) got=$(kd_dmesg_since | sed -n 's/.* refused, .*(limit \([0-9]*\))$/\1/p') ;;
	load.*)
		k=${check#load.}
		got=$(kd_field /tmp/ex.load "${k%.*}" "${k##*.}") ;;
	*) got=$(kd_field /tmp/ex.now "$sec" "$check") ;;
	esac
	where=${lab#-}
	t_eq "$id: ${where:-the load-time report}: $check" "$want" "$got"
done <"${0%/*}/exercises.tsv"
t_run "exercises.tsv: rows hold on this kernel ($n)" test "$n" -gt 10
kd_lab "free all" >/dev/null
t_run "unload" kd_unload
t_clean "nothing left"
