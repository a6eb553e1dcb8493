#!/usr/bin/env bash
# Regenerates mono_call.ogg, the diarization tests' two-voice mono call (espeak-ng + sox): the
# agent (en-gb+f3, pitch 70) answers with the usual script, the customer (en-us+m3, pitch 30)
# asks; the turns alternate with short pauses, mixed down to one 8 kHz channel. mono_call.txt
# has the turns (speaker, start, end in seconds, text) for the tests. With the default f3/m3
# voices at pitch 50 CAM++ hears them closer (DER 0.28 against 0.10 here): synthetic voices
# share one source, real ones differ more (bench/results/diarization.json).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
turns=(
  "agent|Thank you for calling Northwind customer service, my name is Emma. How can I help you today?"
  "customer|Hi, I was charged twice for my order last week and I would like a refund please."
  "agent|I am sorry about that. Can I have your account number so I can check the payments?"
  "customer|Yes, it is four five seven two nine one. The second charge was on Friday."
  "agent|Thank you. I can see both payments. I have refunded the second one, it takes three days."
  "customer|Great, thank you so much for your help."
  "agent|You are welcome. Is there anything else I can help you with? Have a nice day."
)
t=0.3
parts=()
: > mono_call.txt
sox -n -r 16000 -b 16 -c 1 "$tmp/lead.wav" trim 0 0.3
parts+=("$tmp/lead.wav")
i=0
for turn in "${turns[@]}"; do
  who=${turn%%|*}
  text=${turn#*|}
  if [ "$who" = agent ]; then voice=(-v "${AGENT_VOICE:-en-gb+f3}" -p "${AGENT_PITCH:-70}"); else voice=(-v "${CUSTOMER_VOICE:-en-us+m3}" -p "${CUSTOMER_PITCH:-30}"); fi
  espeak-ng "${voice[@]}" -s 160 -w "$tmp/raw$i.wav" "$text"
  sox "$tmp/raw$i.wav" -r 16000 -b 16 -c 1 "$tmp/t$i.wav" pad 0 0.6
  len=$(soxi -D "$tmp/raw$i.wav")
  printf '%s\t%.2f\t%.2f\t%s\n' "$who" "$t" "$(awk "BEGIN{print $t + $len}")" "$text" >> mono_call.txt
  t=$(awk "BEGIN{print $t + $len + 0.6}")
  parts+=("$tmp/t$i.wav")
  i=$((i + 1))
done
# 8 kHz telephone band, Ogg Vorbis: a small file, and the sound of a real mono call
sox "${parts[@]}" -r 8000 -C 3 mono_call.ogg
