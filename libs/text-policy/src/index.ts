export {
  checkText,
  findUnsafeString,
  inertFileName,
  isInvisibleOnly,
  showLine,
  showText,
  type TextKind,
  type TextProblem,
  type TextProblemCode,
} from './lib/text-policy';
