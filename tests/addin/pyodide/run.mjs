// Run a Python driver under Pyodide, the Python that xlwings Lite runs inside Excel, and print
// the string it returns. Usage: node run.mjs DRIVER.py [PATH ...]; each PATH (a file, or a
// folder copied with everything in it) lands in Pyodide's working directory under its base name.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { loadPyodide } from "pyodide";

const [driver, ...paths] = process.argv.slice(2);
const pyodide = await loadPyodide();

function copy(source, target) {
  if (statSync(source).isDirectory()) {
    pyodide.FS.mkdirTree(target);
    for (const name of readdirSync(source)) copy(join(source, name), `${target}/${name}`);
  } else {
    pyodide.FS.writeFile(target, readFileSync(source));
  }
}

for (const path of paths) copy(path, basename(path));
const result = await pyodide.runPythonAsync(readFileSync(driver, "utf8"));
process.stdout.write(String(result));
