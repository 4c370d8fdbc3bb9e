// Run a Python driver under Pyodide, the Python that xlwings Lite runs inside Excel, and print
// the string it returns. Usage: node run.mjs DRIVER.py [FILE ...]; each FILE is copied into
// Pyodide's working directory under its base name so the driver can open it.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { loadPyodide } from "pyodide";

const [driver, ...files] = process.argv.slice(2);
const pyodide = await loadPyodide();
for (const file of files) {
  pyodide.FS.writeFile(basename(file), readFileSync(file));
}
const result = await pyodide.runPythonAsync(readFileSync(driver, "utf8"));
process.stdout.write(String(result));
