// PSNR between two 8-bit PNG images (RGB or RGBA, same size), each composited over a background
// colour (default white, the NeRF convention). Used for the quality figures in docs/QUALITY.md.
// usage: node compare_png.mjs A.png B.png [r g b]   (background in 0..1)
// prints {"psnr_db", "width", "height"}
import fs from 'node:fs';
import zlib from 'node:zlib';

function decodePng(file) {
  const buf = fs.readFileSync(file);
  let pos = 8, width = 0, height = 0, depth = 0, type = 0, interlace = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), kind = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (kind === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      depth = data[8]; type = data[9]; interlace = data[12];
    } else if (kind === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[type];
  if (depth !== 8 || !channels || interlace) throw new Error(`${file}: only 8-bit non-interlaced grey/RGB/RGBA PNGs`);
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels, out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; ++y) {
    const filter = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; ++i) {
      const a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
      let p = line[i];
      if (filter === 1) p += a; else if (filter === 2) p += b; else if (filter === 3) p += (a + b) >> 1;
      else if (filter === 4) { const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c); p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      cur[i] = p & 255;
    }
    for (let x = 0; x < width; ++x) {
      const s = cur.subarray(x * channels, x * channels + channels), o = (y * width + x) * 4;
      const grey = channels <= 2;
      out[o] = s[0]; out[o + 1] = grey ? s[0] : s[1]; out[o + 2] = grey ? s[0] : s[2];
      out[o + 3] = channels === 4 ? s[3] : channels === 2 ? s[1] : 255;
    }
    prev = cur;
  }
  return { width, height, pixels: out };
}

const [fa, fb, ...bg] = process.argv.slice(2);
if (!fa || !fb) { console.error('usage: node compare_png.mjs A.png B.png [r g b]'); process.exit(2); }
const background = bg.length === 3 ? bg.map(Number) : [1, 1, 1];
const a = decodePng(fa), b = decodePng(fb);
if (a.width !== b.width || a.height !== b.height) { console.error('images differ in size'); process.exit(2); }
let sum = 0;
for (let i = 0; i < a.width * a.height; ++i)
  for (let c = 0; c < 3; ++c) {
    const over = (img) => { const al = img.pixels[4 * i + 3] / 255; return (img.pixels[4 * i + c] / 255) * al + background[c] * (1 - al); };
    const d = over(a) - over(b);
    sum += d * d;
  }
const mse = sum / (a.width * a.height * 3);
console.log(JSON.stringify({ psnr_db: 10 * Math.log10(1 / Math.max(mse, 1e-12)), width: a.width, height: a.height }));
