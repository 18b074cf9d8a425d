import { Command } from 'commander';
import { inspectWeights, type WeightsInspection } from '../../io/weights-file.js';
import { formatTable } from '../format-table.js';
import { runAction } from '../run-action.js';

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('tensor names, stored dtypes, shapes and bytes of a .safetensors or .pth file (validated, nothing run)')
    .argument('<file>', 'a .safetensors file or a PyTorch .pth (torch.save zip) file')
    .action(async (file: string, _options: unknown, command: Command) =>
      runAction(command, async (context) => {
        const report = inspectWeights(file);
        context.print(report, () => describeInspection(report));
      }),
    );
}

function describeInspection(report: WeightsInspection): string {
  const rows = report.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, t.bytes]);
  const summary = `${report.file}: ${report.format}, ${report.tensors.length} tensors, ${report.totalParameters} elements, ${report.totalBytes} bytes of data (file ${report.fileBytes} bytes)`;
  return `${summary}\n${formatTable(['name', 'dtype', 'shape', 'bytes'], rows)}`;
}
