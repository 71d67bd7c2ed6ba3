#!/usr/bin/env bash
# Makes the entrant's screen's spoken prompts (kiosk-ui/public/voice/<key>.<zh|en>.ogg) from
# kiosk-ui/voice-prompts.json with Debian's espeak-ng (Mandarin and English voices) and
# opus-tools, offline. The files are committed, so building the pages needs neither; run this
# after changing a prompt (apt-get install espeak-ng opus-tools). A recorded voice can replace
# any file under the same name.
set -euo pipefail
cd "$(dirname "$0")/.."
out=kiosk-ui/public/voice
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node -e '
  const prompts = require("./kiosk-ui/voice-prompts.json");
  for (const [key, text] of Object.entries(prompts)) console.log(`${key}\t${text.zh}\t${text.en}`);
' | while IFS=$'\t' read -r key zh en; do
  espeak-ng -v cmn -s 150 -w "$work/$key.zh.wav" "$zh"
  espeak-ng -v en-us -s 150 -w "$work/$key.en.wav" "$en"
  for lang in zh en; do
    opusenc --quiet --bitrate 16 --downmix-mono "$work/$key.$lang.wav" "$out/$key.$lang.ogg"
  done
  echo "made $key"
done
# A tenth of a second of silence: the screen plays it on load to learn whether sound is allowed.
node -e '
  const samples = 2205, header = Buffer.alloc(44);
  header.write("RIFF", 0); header.writeUInt32LE(36 + samples * 2, 4); header.write("WAVE", 8);
  header.write("fmt ", 12); header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22); header.writeUInt32LE(22050, 24); header.writeUInt32LE(44100, 28);
  header.writeUInt16LE(2, 32); header.writeUInt16LE(16, 34); header.write("data", 36);
  header.writeUInt32LE(samples * 2, 40);
  process.stdout.write(Buffer.concat([header, Buffer.alloc(samples * 2)]));
' > "$work/silence.wav"
opusenc --quiet --bitrate 16 "$work/silence.wav" "$out/silence.ogg"
