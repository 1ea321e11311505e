// Loads a glTF file with three.js in headless Chromium, renders it from a given camera over
// black and writes a PNG screenshot; prints {"nodes", "meshes", "textures", "screenshot"}.
// Meshes are drawn in the file's node order (renderOrder), the back-to-front order strata
// writes. WebGL runs on the CPU (SwiftShader).
// usage: node render_three.mjs FILE OUT.png CAMERA_JSON
//   CAMERA_JSON: {"width", "height", "fov_y_deg", "camera_to_world": 16 numbers, column-major,
//                 optional "background": [r, g, b] in 0..1 (default black)}
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const [file, out, cameraJson] = process.argv.slice(2);
if (!file || !out || !cameraJson) {
  console.error('usage: node render_three.mjs FILE OUT.png CAMERA_JSON');
  process.exit(2);
}
const camera = JSON.parse(cameraJson);
const here = path.dirname(fileURLToPath(import.meta.url));
const threeRoot = path.join(here, 'node_modules', 'three');
const modelDir = path.dirname(path.resolve(file));

const page_html = `<!doctype html><html><body style="margin:0">
<script type="importmap">{"imports": {"three": "/three/build/three.module.js", "three/addons/": "/three/examples/jsm/"}}</script>
<script type="module">
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
const camera = ${JSON.stringify(camera)};
const renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
renderer.setPixelRatio(1);
renderer.setSize(camera.width, camera.height);
renderer.setClearColor(new THREE.Color().setRGB(...(camera.background ?? [0, 0, 0]), THREE.SRGBColorSpace), 1);
document.body.appendChild(renderer.domElement);
const view = new THREE.PerspectiveCamera(camera.fov_y_deg, camera.width / camera.height, 0.01, 1000);
view.matrixAutoUpdate = false;
view.matrix.fromArray(camera.camera_to_world);
view.matrix.decompose(view.position, view.quaternion, view.scale);
view.updateMatrixWorld(true);
new GLTFLoader().load('/model/${path.basename(file)}', (gltf) => {
  let order = 0, meshes = 0, nodes = 0;
  gltf.scene.traverse((o) => { nodes++; if (o.isMesh) { o.renderOrder = order++; meshes++; } });
  const scene = new THREE.Scene();
  scene.add(gltf.scene);
  renderer.render(scene, view);
  window.result = { nodes: gltf.parser.json.nodes.length, meshes: gltf.parser.json.meshes.length,
                    textures: (gltf.parser.json.textures || []).length, png: renderer.domElement.toDataURL('image/png') };
}, undefined, (e) => { window.result = { error: String(e) }; });
</script></body></html>`;

const types = { '.js': 'text/javascript', '.glb': 'model/gltf-binary', '.gltf': 'model/gltf+json', '.bin': 'application/octet-stream', '.png': 'image/png' };
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(req.url.split('?')[0]);
  let target = null;
  if (url === '/') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(page_html); return; }
  if (url.startsWith('/three/')) target = path.join(threeRoot, url.slice('/three/'.length));
  if (url.startsWith('/model/')) target = path.join(modelDir, url.slice('/model/'.length));
  if (!target || !fs.existsSync(target)) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'content-type': types[path.extname(target)] ?? 'application/octet-stream' });
  res.end(fs.readFileSync(target));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--disable-gpu-sandbox',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(String(e)));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60000 });
  const result = await page.evaluate(() => window.result);
  if (result.error) throw new Error(result.error + '\n' + logs.join('\n'));
  fs.writeFileSync(out, Buffer.from(result.png.split(',')[1], 'base64'));
  console.log(JSON.stringify({ nodes: result.nodes, meshes: result.meshes, textures: result.textures, screenshot: out }));
} finally {
  await browser.close();
  server.close();
}
