import type { NextFunction, Request, Response } from 'express';
import { assertJsonShape } from '../../shared/index.js';

/**
 * Express middleware, right after the JSON body parser: refuses a body nested deeper than
 * `maxDepth` levels or holding a `__proto__` key with `400 INVALID_ARGUMENT` before any route
 * reads it (see `requestShapeGuard`, its socket twin, for why this comes first).
 *
 * @example
 * app.use(express.json());
 * app.use(jsonShapeGuard(limits.maxPayloadDepth));
 */
export function jsonShapeGuard(maxDepth: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    try {
      assertJsonShape(req.body, maxDepth, 'request body');
      next();
    } catch (err) {
      next(err);
    }
  };
}
