// What creating a file costs where the bench (or a state dir) lives: 1,000 empty files opened
// for append and closed in a new folder DIR (see bench/lib/file-create.ts for why it varies).
// Compare a folder under /tmp with one under your project.
// Usage: node --import tsx bench/probes/create-files.ts DIR
import { fileCreateCost } from "../lib/file-create.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node --import tsx bench/probes/create-files.ts DIR");
const { wallUs, cpuUs } = fileCreateCost(dir);
console.log(`${dir}: ${wallUs.toFixed(1)} us wall, ${cpuUs.toFixed(1)} us CPU a file`);
