#!/usr/bin/env bash
# Regenerates the small audio fixtures of the transcription tests (espeak-ng + sox + ffmpeg).
# Output is deterministic for a given espeak-ng version; every file stays well under 300 KB.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() {  # say VOICE TEXT OUT.wav  -> 16 kHz mono 16-bit
  espeak-ng -v "$1" -s 150 -w "$tmp/raw.wav" "$2"
  sox "$tmp/raw.wav" -r 16000 -b 16 -c 1 "$3"
}

# 1. Mono English sentence (the reference text is in mono_sentence.txt).
mono_text="Thank you for calling customer support. My name is Sarah and I will help you with your refund today."
say en-us "$mono_text" mono_sentence.wav
printf '%s\n' "$mono_text" > mono_sentence.txt

# 2. Stereo: customer on the left first, then the agent on the right, never overlapping.
customer_text="Hello, I was charged twice for my order last week."
agent_text="I am sorry about that. I have refunded the second payment."
say en-us+m3 "$customer_text" "$tmp/customer.wav"
say en-gb "$agent_text" "$tmp/agent.wav"
cust_len=$(soxi -D "$tmp/customer.wav")
agent_len=$(soxi -D "$tmp/agent.wav")
# customer: 0.3 s silence + speech, then silence for the agent's turn (+1 s gap)
sox "$tmp/customer.wav" "$tmp/left.wav" pad 0.3 "$(awk "BEGIN{print $agent_len + 1.3}")"
sox "$tmp/agent.wav" "$tmp/right.wav" pad "$(awk "BEGIN{print $cust_len + 1.3}")" 0.3
sox -M "$tmp/left.wav" "$tmp/right.wav" -C 8 stereo_call.flac
printf 'customer\t%s\nagent\t%s\n' "$customer_text" "$agent_text" > stereo_call.txt

# 3. Two seconds of digital silence.
sox -n -r 16000 -b 16 -c 1 silence.wav trim 0 2

# 4. Not audio, although it is named .wav.
printf 'This is a text file, not a recording.\n' > not_audio.wav

# 5. Truncated: the first 40 % of a FLAC file (its header declares the full length).
sox mono_sentence.wav "$tmp/full.flac"
size=$(stat -c %s "$tmp/full.flac")
head -c $((size * 4 / 10)) "$tmp/full.flac" > truncated.flac

# 6. An image: a valid media file without any audio stream.
ffmpeg -loglevel error -y -f lavfi -i color=c=blue:s=16x16 -frames:v 1 no_audio_stream.png

# 7. Empty file.
: > empty.wav

# 8. Mono French sentence (espeak-ng's French voice; the reference is in mono_french.txt).
fr_text="Bonjour madame, je vous remercie de votre patience. Je comprends tout à fait votre situation. Votre colis sera livré demain matin."
espeak-ng -v fr -s 170 -w "$tmp/raw.wav" "$fr_text"
sox "$tmp/raw.wav" -r 16000 -b 16 -c 1 mono_french.wav
printf '%s\n' "$fr_text" > mono_french.txt

ls -l
