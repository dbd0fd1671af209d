/**
 * One contender of the media upload benchmark (bench/media-upload.ts), alone in its own process so
 * that its peak RSS is its own. Plain JavaScript run by `node` (no tsx loader in the process: it
 * would add its own memory to both contenders). xpost is the BUILT SDK (`dist/`, which
 * `npm run bench` builds first); the peer is `twitter-api-v2` from node_modules.
 *
 * argv[2] is a JSON job: { contender: 'xpost' | 'twitter-api-v2', url, port, token, file,
 * mediaType, options }. The last line on stdout is the JSON result: { mediaId, seconds, rssBeforeBytes,
 * maxRssBytes } (RSS once the library is loaded and the client built, and the process's peak).
 */

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';

/** Each contender loads its library and builds its client first, then returns the upload to time. */
async function prepareXpost({ url, token, file, options }) {
  const { XClient, staticBearer } = await import('../dist/x/index.js');
  const client = new XClient({ auth: staticBearer(token), apiBase: url });
  return async () => (await client.media.upload(file, options)).mediaId;
}

/**
 * twitter-api-v2 1.29.1 always builds `https://api.x.com/2/...` URLs (`API_V2_PREFIX` in
 * dist/cjs/globals.js) and sends every request through `https.request({ ...url parts, agent:
 * clientSettings.httpAgent })` (dist/cjs/client-mixins/request-handler.helper.js). Node's
 * ClientRequest checks the URL's protocol against `agent.protocol` and leaves TLS to the agent's
 * `createConnection`. So the agent below is an `http.Agent` that says it speaks `https:` and dials
 * the emulator's 127.0.0.1 port in plain TCP: the library runs unmodified, with its own URLs and a
 * `Host: api.x.com` header (the emulator accepts any Host), and no request can leave the machine
 * (no DNS lookup, no TLS, no other address).
 */
class EmulatorAgent extends http.Agent {
  constructor(port) {
    super({ keepAlive: true });
    this.emulatorPort = port;
    this.protocol = 'https:';
  }

  createConnection() {
    return net.connect({ host: '127.0.0.1', port: this.emulatorPort });
  }
}

async function preparePeer({ port, token, file, mediaType, options }) {
  const { TwitterApi } = await import('twitter-api-v2');
  const httpAgent = new EmulatorAgent(port);
  // OAuth 2.0 user token: the v2 media endpoints accept it, and unlike OAuth 1.0a it does not sign
  // the host, which here is api.x.com on the wire.
  const client = new TwitterApi(token, { httpAgent });
  return async () => {
    // Its v2 uploadMedia takes a Buffer: the caller must read the whole file first.
    const media = await readFile(file);
    const mediaId = await client.v2.uploadMedia(media, { media_type: mediaType }, options.chunkSize);
    httpAgent.destroy();
    return mediaId;
  };
}

// Last, after the class above is initialised (top-level await would reach it in its TDZ).
const job = JSON.parse(process.argv[2] ?? '{}');
const contenders = { xpost: prepareXpost, 'twitter-api-v2': preparePeer };
const prepare = contenders[job.contender];
if (!prepare) throw new Error(`unknown contender ${JSON.stringify(job.contender)}`);
const upload = await prepare(job);

const rssBeforeBytes = process.memoryUsage().rss;
const started = performance.now();
const mediaId = await upload();
const seconds = (performance.now() - started) / 1000;
// maxRSS is the high-water mark of the whole process, in KiB.
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ mediaId, seconds, rssBeforeBytes, maxRssBytes })}\n`);
process.exit(0);
