import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";

/** A file to attach: as the pipeline names it, and the absolute path it is read from. */
export interface AttachmentFile {
  readonly given: string;
  readonly path: string;
}

/**
 * Why each attachment that cannot be read cannot, one line each (none when all can). Asked
 * before the SMTP server is contacted: nodemailer opens the files only while it sends the body,
 * after MAIL FROM and RCPT TO, so a missing file used to be found with the server half-talked-to.
 */
export async function attachmentProblems(files: readonly AttachmentFile[]): Promise<string[]> {
  const problems = await Promise.all(files.map(problemOf));
  return problems.filter((problem): problem is string => problem !== undefined);
}

async function problemOf({ given, path }: AttachmentFile): Promise<string | undefined> {
  const which = given === path ? `attachment "${given}"` : `attachment "${given}" (${path})`;
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) return `${which} is a folder, not a file`;
    if (!stats.isFile()) return `${which} is not a regular file`;
    await access(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `${which} does not exist`;
    if (code === "EACCES") return `${which} cannot be read: permission denied`;
    return `${which} cannot be read: ${code ?? String(error)}`;
  }
}
