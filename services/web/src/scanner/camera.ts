// The camera and the QR decoder. The browser's own BarcodeDetector when it reads QR codes (Android,
// macOS), else the barcode-detector ponyfill: ZXing-C++ in WebAssembly, its .wasm served with the
// pages (never fetched from elsewhere at the door).

import { BarcodeDetector as Ponyfill, prepareZXingModule } from 'barcode-detector/ponyfill';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

interface Detector { detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>> }

let detector: Promise<Detector> | undefined;

async function qrDetector(): Promise<Detector> {
  const native = (globalThis as { BarcodeDetector?: { new(o: { formats: string[] }): Detector; getSupportedFormats(): Promise<string[]> } }).BarcodeDetector;
  if (native && (await native.getSupportedFormats()).includes('qr_code')) return new native({ formats: ['qr_code'] });
  await prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : prefix + path) }, fireImmediately: true });
  return new Ponyfill({ formats: ['qr_code'] });
}

export interface Camera { stop(): void }

/**
 * Starts the back camera in `video` and calls `onCode` for each code read. The same code is
 * reported again only after `repeatAfterMs`: a ticket held in front of the camera is one scan.
 */
export async function startCamera(video: HTMLVideoElement, onCode: (text: string) => void, repeatAfterMs = 3000): Promise<Camera> {
  detector ??= qrDetector();
  const reader = await detector;
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  let stopped = false;
  let last = { text: '', at: 0 };
  const loop = async () => {
    while (!stopped) {
      if (video.readyState >= 2) {
        try {
          for (const code of await reader.detect(video)) {
            const now = performance.now();
            if (code.rawValue === last.text && now - last.at < repeatAfterMs) continue;
            last = { text: code.rawValue, at: now };
            onCode(code.rawValue);
          }
        } catch {
          // A frame the decoder could not take (e.g. the stream just ended): try the next one.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 80));
    }
  };
  void loop();
  return {
    stop() {
      stopped = true;
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
    },
  };
}
