// Tying a child agent's life to its parent: when the parent exits (even SIGKILLed) or closes
// the pipe, our stdin reaches end-of-file. Only meaningful when stdin IS the parent's pipe, so
// it is opt-in (`--exit_on_stdin_eof`): with a terminal or /dev/null as stdin it would fire at
// once or never.

/** Calls `onEof` once when stdin ends or errors. Returns a function that stops watching. */
export function watchParentStdin(onEof: () => void, stdin: NodeJS.ReadableStream = process.stdin): () => void {
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    onEof();
  };
  const drain = () => {}; // discard anything the parent writes
  stdin.on("data", drain);
  stdin.on("end", fire);
  stdin.on("close", fire);
  stdin.on("error", fire);
  stdin.resume();
  return () => {
    stdin.off("data", drain);
    stdin.off("end", fire);
    stdin.off("close", fire);
    stdin.off("error", fire);
    stdin.pause();
  };
}
