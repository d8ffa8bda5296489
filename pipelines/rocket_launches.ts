// The first DAG of "Data Pipelines with Apache Airflow" (download_rocket_launches): fetch the
// upcoming launches, download each launch's picture, report how many pictures we have.
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { bash, chain, dag, email, fn, http } from "flow";
import { parseLaunches, savePicture } from "./lib/launches.js";

// Settings come from the environment, so one file runs against the bundled fixture (offline,
// the default) or the real Launch Library 2 API. `||` treats an empty variable as unset.
const launchApiUrl =
  process.env.LAUNCH_API_URL || new URL("fixtures/launches.json", import.meta.url).href;
const dataDir = resolve(process.env.FLOW_DATA_DIR || "data/rocket_launches");
const imagesDir = join(dataDir, "images");

// Bash tasks get paths as variables rather than pasted into the command: no quoting bugs.
const env = { DATA_DIR: dataDir };

// An http task reads file: URLs from disk, so the same task serves the offline fixture and the
// real API; a status other than 2xx fails the try, and the body goes to launches.json.
const downloadLaunches = http("download_launches", {
  url: launchApiUrl,
  saveTo: join(dataDir, "launches.json"),
  // The public API is rate-limited and now and then slow: worth a retry, not a failed run.
  retries: 1,
  retryDelay: "10s",
  timeout: "2m",
});

const getPictures = fn("get_pictures", async (ctx) => {
  const launches = parseLaunches(await readFile(join(dataDir, "launches.json"), "utf8"));
  await mkdir(imagesDir, { recursive: true });
  let pictures = 0;
  let failed = 0;
  for (const launch of launches) {
    ctx.signal.throwIfAborted();
    if (!launch.image) {
      ctx.log.info(`${launch.name}: no picture`);
      continue;
    }
    try {
      // Relative image paths (the fixture's) resolve against the document they came from.
      const source = new URL(launch.image, launchApiUrl);
      const target = await savePicture(source, imagesDir, launch.id, ctx.signal);
      ctx.log.info(`Downloaded ${source.href} to ${target}`);
      pictures++;
    } catch (error) {
      // As in the book: one broken picture link should not cost us all the others.
      ctx.log.warn(`Could not download ${launch.image}: ${String(error)}`);
      failed++;
    }
  }
  // ...but when every one fails, something bigger is wrong: fail, so the run shows it.
  if (pictures === 0 && failed > 0) {
    throw new Error(`none of the ${failed} pictures could be downloaded`);
  }
  return { pictures, failed };
});

const notify = bash("notify", 'echo "There are now $(ls "$DATA_DIR/images/" | wc -l) images."', {
  env,
});

chain(downloadLaunches, getPictures, notify);

// A failed run mails ROCKET_ALERT_TO through the smtp_default connection
// (FLOW_CONN_SMTP_DEFAULT=smtps://user:pass@smtp.example.com); unset, the quick start sends nothing.
const alertTo = process.env.ROCKET_ALERT_TO;

export default dag({
  id: "rocket_launches",
  description:
    "Download the next rocket launches and their pictures (the Airflow book's first DAG)",
  tags: ["example", "book"],
  schedule: null,
  ...(alertTo && { onFailure: email.alert({ to: alertTo }) }),
  tasks: [downloadLaunches, getPictures, notify],
});
