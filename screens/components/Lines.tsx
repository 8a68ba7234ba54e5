// Renders fitted rows. With colour off (NO_COLOR) no colour or dim attribute reaches Ink at all.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { lineText, type Line } from '../text.ts';

const Row = memo(function Row({ line, color }: { line: Line; color: boolean }) {
  if (!color) return <Text wrap="truncate-end">{lineText(line)}</Text>;
  return (
    <Text wrap="truncate-end">
      {line.map((s, i) => (
        <Text key={i} color={s.c} bold={s.b} dimColor={s.dim} inverse={s.inv}>
          {s.t}
        </Text>
      ))}
    </Text>
  );
}, (a, b) => a.color === b.color && sameLine(a.line, b.line));

function sameLine(a: Line, b: Line): boolean {
  if (a.length !== b.length) return false;
  return a.every((s, i) => {
    const o = b[i]!;
    return s.t === o.t && s.c === o.c && s.b === o.b && s.dim === o.dim && s.inv === o.inv;
  });
}

export function Lines({ lines, color }: { lines: Line[]; color: boolean }) {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Row key={i} line={line} color={color} />
      ))}
    </Box>
  );
}
