import { type Command, UsageError } from '../command.ts';
import { gradeCommand } from './grade.ts';

/** `lilab select`: grade frames and write those above the threshold for DFT (the active-learning step). */
export const selectCommand: Command = {
  ...gradeCommand,
  name: 'select',
  summary: 'active learning: frames whose extrapolation grade exceeds --threshold, written for DFT labelling',
  usage:
    '--potential POT.mtp (--train DATA | --active POT.mtp.als.json) --data FRAMES.extxyz --select-out NEW.cfg [--threshold 2]',
  async run(args) {
    if (typeof args.values['select-out'] !== 'string') throw new UsageError('--select-out NEW.cfg is required');
    return gradeCommand.run(args);
  },
};
