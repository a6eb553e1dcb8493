#!/usr/bin/env bash
# Renders the French demo call from its JSON sidecar (<name>.json holds the script) with
# espeak-ng's French voice: customer on the LEFT channel, agent on the RIGHT, turns one after
# another with short pauses, 16 kHz FLAC. `flask demo load` transcribes it for real with the
# multilingual Whisper base model. Needs espeak-ng, sox and python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")"

# name              customer voice  agent voice   (-s 170: base recognises it best, measured)
CALLS="
colis_en_retard     fr-be           fr
"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "$CALLS" | while read -r name cvoice avoice; do
  [ -z "$name" ] && continue
  python3 - "$name.json" "$tmp" "$cvoice" "$avoice" <<'PY'
import array, json, subprocess, sys, wave

sidecar, tmp, voices = sys.argv[1], sys.argv[2], {"customer": sys.argv[3], "agent": sys.argv[4]}
rate, pause = 16000, 0.45
tracks = {"customer": array.array("h"), "agent": array.array("h")}
for i, turn in enumerate(json.load(open(sidecar))["script"]):
    raw, wav = f"{tmp}/t{i}.raw.wav", f"{tmp}/t{i}.wav"
    subprocess.run(["espeak-ng", "-v", voices[turn["speaker"]], "-s", "170", "-w", raw,
                    turn["text"]], check=True)
    subprocess.run(["sox", raw, "-r", str(rate), "-b", "16", "-c", "1", wav, "norm", "-3"],
                   check=True)
    with wave.open(wav) as w:
        speech = array.array("h", w.readframes(w.getnframes()))
    gap = array.array("h", bytes(2 * int(pause * rate)))
    for who, track in tracks.items():
        track.extend(gap)
        track.extend(speech if who == turn["speaker"] else array.array("h", bytes(2 * len(speech))))
stereo = array.array("h")
for left, right in zip(tracks["customer"], tracks["agent"]):
    stereo.extend((left, right))
stereo.extend(array.array("h", bytes(2 * 2 * int(pause * rate))))
with wave.open(f"{tmp}/call.wav", "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(stereo.tobytes())
PY
  sox "$tmp/call.wav" -C 8 "$name.flac"
  printf '%-22s %5s s  %7s bytes\n' "$name.flac" "$(soxi -D "$tmp/call.wav" | cut -c1-5)" "$(stat -c %s "$name.flac")"
done
