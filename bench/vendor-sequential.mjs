// The vendor's flow, ported faithfully from the reference Python script in its docs (job-result-and-reference-script):
// list every page first, then per job, one request at a time: the job result, the result object through the
// attachment endpoint (following the redirect with the x-api-key header, as `requests` does), the JSON written out.
// As the export needs labels, each mask is then fetched the same way, parsed with JSON.parse and written as uint16.
// `requests.get` without a Session opens a new connection per call: so does `agent: false` here.
// Usage: node vendor-sequential.mjs BASE_URL PROJECT BATCH OUT_DIR   (key in PLAYMENT_API_KEY)
import http from 'node:http';
import https from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [baseUrl, projectId, batchId, folderName] = process.argv.slice(2);
const xApiKey = process.env.PLAYMENT_API_KEY ?? '';

function get(url, headers, redirects = 10) {
  return new Promise((resolve, reject) => {
    const transport = url.startsWith('https:') ? https : http;
    const request = transport.get(url, { headers, agent: false }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const { statusCode = 0 } = response;
        if (statusCode >= 300 && statusCode < 400 && response.headers.location && redirects > 0) {
          resolve(get(new URL(response.headers.location, url).href, headers, redirects - 1));
          return;
        }
        const text = Buffer.concat(chunks).toString('utf8');
        // if response.status_code >= 500 / 400 <= status < 500: raise Exception(response.text)
        if (statusCode >= 400) reject(new Error(text));
        else resolve(text);
      });
    });
    request.on('error', reject);
  });
}

const getBatchJob = async (nextPageToken) =>
  JSON.parse(
    await get(`${baseUrl}/v1/projects/${projectId}/batch/${batchId}?page_token=${nextPageToken}`, {
      'x-api-key': xApiKey,
    }),
  );
const getJobResult = async (jobId) =>
  JSON.parse(await get(`${baseUrl}/v1/projects/${projectId}/jobs/${jobId}`, { 'x-api-key': xApiKey }));
const getAttachment = (resultUrl) => get(`${baseUrl}/v1/attachments?url=${resultUrl}`, { 'x-api-key': xApiKey });

let batchRes = await getBatchJob('');
let jobs = batchRes.data.jobs;
while ('next_page_token' in batchRes.data) {
  batchRes = await getBatchJob(batchRes.data.next_page_token);
  jobs = jobs.concat(batchRes.data.jobs);
}

mkdirSync(folderName, { recursive: true });
for (const job of jobs) {
  const jobRes = await getJobResult(job.id);
  const jobAnnotationResult = JSON.parse(await getAttachment(jobRes.data.result));
  // Set the filename here
  writeFileSync(join(folderName, `${job.id}.json`), JSON.stringify(jobAnnotationResult));
  for (const [index, mask] of jobAnnotationResult.annotation_data.masks.entries()) {
    const labels = Uint16Array.from(JSON.parse(await getAttachment(mask.label_url)));
    writeFileSync(join(folderName, `${job.id}-${index}.bin`), labels);
  }
  console.log(job.id);
}
