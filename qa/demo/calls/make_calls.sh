#!/usr/bin/env bash
# Renders the demo call recordings, English (qa/demo/calls) and French (qa/demo/calls_fr), from
# their JSON sidecars (<name>.json holds the script): each turn is spoken by espeak-ng, customer
# on the LEFT channel, agent on the RIGHT, turns one after another with short pauses; then
# encoded to the format listed below. `flask demo load` transcribes them for real (tiny.en for
# the English calls, the multilingual base model for the French one).
# Needs espeak-ng, sox, ffmpeg and python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."

# call                                format  customer voice  agent voice  words/min
# (French at 170 words/min: base recognises espeak-ng's French best at that speed, measured)
CALLS="
calls/double_charge_refund            ogg     en-us+f4        en-us        155
calls/password_reset_unresolved       wav     en-us+f4        en-us+m3     155
calls/delivery_delay                  mp3     en-us+f2        en-gb        155
calls/plan_upgrade                    flac    en-us           en-gb+f3     155
calls_fr/colis_en_retard              flac    fr-be           fr           170
"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "$CALLS" | while read -r name fmt cvoice avoice speed; do
  [ -z "$name" ] && continue
  python3 - "$name.json" "$tmp" "$cvoice" "$avoice" "$speed" <<'PY'
import array, json, subprocess, sys, wave

sidecar, tmp, speed = sys.argv[1], sys.argv[2], sys.argv[5]
voices = {"customer": sys.argv[3], "agent": sys.argv[4]}
rate, pause = 16000, 0.45
tracks = {"customer": array.array("h"), "agent": array.array("h")}
for i, turn in enumerate(json.load(open(sidecar))["script"]):
    raw, wav = f"{tmp}/t{i}.raw.wav", f"{tmp}/t{i}.wav"
    subprocess.run(["espeak-ng", "-v", voices[turn["speaker"]], "-s", speed, "-w", raw,
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
  case "$fmt" in
    ogg)  enc=(-c:a libvorbis -q:a 2) ;;
    wav)  enc=(-ar 8000 -c:a pcm_mulaw) ;;      # telephone quality, G.711 mu-law
    mp3)  enc=(-c:a libmp3lame -b:a 48k) ;;
    flac) enc=(-c:a flac -compression_level 8) ;;
  esac
  ffmpeg -nostdin -loglevel error -y -i "$tmp/call.wav" -map_metadata -1 -fflags +bitexact "${enc[@]}" "$name.$fmt"
  printf '%-38s %5s s  %7s bytes\n' "$name.$fmt" "$(soxi -D "$tmp/call.wav" | cut -c1-5)" "$(stat -c %s "$name.$fmt")"
done
