// The piscina entry of the report's render threads: one frame per task (see frame-task.ts). piscina drops an error's
// own properties on its way back, so a failure comes back as a reply with its code.
import { reasonOf } from '../errors.js';
import { ReportError } from './report-error.js';
import { renderFrame, type FrameReply, type FrameTask } from './frame-task.js';

export type WorkerReply = { reply: FrameReply } | { error: { code: ReportError['code']; message: string } };

export default function renderTask(task: FrameTask): WorkerReply {
  try {
    return { reply: renderFrame(task) };
  } catch (error) {
    // A file system error names its file and errno in the message.
    const code = error instanceof ReportError ? error.code : 'RENDER_FAILED';
    return { error: { code, message: reasonOf(error) } };
  }
}
