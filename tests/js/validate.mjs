// Runs the Khronos glTF validator on one .glb/.gltf file and prints its issues as JSON:
// {"numErrors": N, "numWarnings": N, "messages": [{"code", "severity", "pointer", "message"}]}.
// usage: node validate.mjs FILE
import fs from 'node:fs';
import path from 'node:path';
import validator from 'gltf-validator';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs FILE.glb|FILE.gltf');
  process.exit(2);
}
const bytes = new Uint8Array(fs.readFileSync(file));
const report = await validator.validateBytes(bytes, {
  uri: path.basename(file),
  maxIssues: 1000,
  externalResourceFunction: (uri) =>
    new Promise((resolve, reject) => {
      try {
        resolve(new Uint8Array(fs.readFileSync(path.resolve(path.dirname(file), decodeURIComponent(uri)))));
      } catch (e) {
        reject(e.toString());
      }
    }),
});
const severity = ['error', 'warning', 'info', 'hint'];
console.log(JSON.stringify({
  numErrors: report.issues.numErrors,
  numWarnings: report.issues.numWarnings,
  messages: report.issues.messages.map((m) => ({
    code: m.code, severity: severity[m.severity] ?? String(m.severity), pointer: m.pointer ?? '', message: m.message,
  })),
}));
