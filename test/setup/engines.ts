import type { EngineInfo } from "../../dev/engines-main.ts";

export type { EngineInfo };

declare module "vitest" {
  export interface ProvidedContext {
    engines: EngineInfo;
    workerUrl: string;
  }
}
