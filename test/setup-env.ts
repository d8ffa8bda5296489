// Every test starts from an environment without the user's FLOW_* settings (a FLOW_HOME in the
// shell would send the runs of every test that inherits the environment into the user's state
// dir). A test that needs one sets it itself, on the process it starts.
for (const name of Object.keys(process.env)) {
  if (name.startsWith("FLOW_")) delete process.env[name];
}
