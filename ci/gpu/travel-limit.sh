# Sourced by ci/gpu/bundle.sh and ci/gpu/bundle-long.sh (from the repository root): the device tool carries the
# tracked tree, the untracked files git does not ignore, and the named archive: 64 MiB in all. Both kinds of file are
# counted, and only 256 KiB kept spare (a flat 2 MB margin refused the tenth H200 session's 65.9 MB, which traveled).
# check_travel_size SCRIPT ARCHIVE HINT: prints the sizes; fails with HINT when the two would not fit.
check_travel_size() {
  local script=$1 archive=$2 hint=$3 tree bundle total
  tree=$( { git ls-files -z; git ls-files -z --others --exclude-standard; } | du -cb --files0-from=- 2>/dev/null | tail -n 1 | cut -f1)
  bundle=$(stat -c %s "$archive")
  total=$((tree + bundle))
  printf '%s: %s (%d MB) + the tree that travels %d MB = %d MB of the 67.1 MB (64 MiB) that may travel\n' \
    "$script" "$archive" $((bundle / 1000000)) $((tree / 1000000)) $((total / 1000000))
  ((total < 64 * 1024 * 1024 - 256 * 1024)) || { echo "$script: too large to travel${hint:+: $hint}" >&2; return 1; }
}
