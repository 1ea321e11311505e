#!/usr/bin/env bash
# Runs a command with DISPLAY set to a private Xvfb server (Debian xvfb), then stops the server.
#   tests/run_xvfb.sh build/apps/strata-viewer assets/room_corner --script s.txt
# Xvfb picks a free display number itself (-displayfd), so parallel runs never share one.
# Exits with the command's status; 77 (skip) when Xvfb is not installed.
set -uo pipefail
command -v Xvfb >/dev/null || { echo "run_xvfb: Xvfb is not installed (apt-get install xvfb)" >&2; exit 77; }
number_file=$(mktemp)
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$number_file" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do
  grep -q . "$number_file" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
number=$(tr -dc 0-9 <"$number_file")
rm -f "$number_file"
if [ -z "$number" ]; then
  echo "run_xvfb: Xvfb did not start" >&2
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  exit 1
fi
DISPLAY=":$number" "$@"
status=$?
kill "$pid"; wait "$pid" 2>/dev/null
exit $status
