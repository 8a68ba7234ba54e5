// The first-frame baseline: a bare Ink "hello" with the cockpit's render options, bundled like the product
// (bench/bundles.ts). Quits on q.
import { Box, render, Text, useApp, useInput } from 'ink';

function Hello() {
  const { exit } = useApp();
  useInput((input) => {
    if (input === 'q') exit();
  });
  return (
    <Box borderStyle="single">
      <Text>hello</Text>
    </Box>
  );
}

render(<Hello />, { maxFps: 12, incrementalRendering: true, exitOnCtrlC: false, patchConsole: false });
