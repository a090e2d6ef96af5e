# Helpers the benchmark scripts share; sourced, not run.

# The median of each column of a file of rows of numbers, as one row.
medians() {
  local columns i row=()
  columns=$(head -1 "$1" | wc -w)
  for i in $(seq "$columns"); do
    row+=("$(cut -d' ' -f"$i" "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')")
  done
  echo "${row[*]}"
}
