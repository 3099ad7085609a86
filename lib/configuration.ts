import * as fs from 'fs';
import type { CustomVendor } from './custom-vendor';
import type { BuiltInVendors } from './vendors';
import { configurationFromJson } from './private/config';

/**
 * Which vendors to receive and how, and the limits: the contents of `callhooks.config.json` as a struct
 * ({@link CallhooksConfigFile} reads the file into one). Validated by the same rules as the file: a bad value
 * fails synthesis with a message that names it.
 */
export interface CallhooksConfiguration {
  /**
   * The built-in vendors to receive, each with its options (`{}` for the defaults). A built-in vendor left out
   * is off, so one added in a later release of callhooks never appears in an existing deployment by itself.
   *
   * @default - the five vendors of 0.1.0 (quarterzip, qcall, koeiq, atoms, converc) with their default options; a
   * built-in vendor added since is on only where it is named
   */
  readonly vendors?: BuiltInVendors;

  /**
   * Vendors described by configuration alone.
   *
   * @default - none
   */
  readonly customVendors?: CustomVendor[];

  /**
   * Largest accepted request body in bytes (1024 to 4194304); a larger one is answered 413.
   *
   * @default 2097152
   */
  readonly maxBodyBytes?: number;

  /**
   * Largest event put on the bus in bytes (8192 to 1048576); a larger event moves its bulk to the payload bucket.
   *
   * @default 262144
   */
  readonly maxEventBytes?: number;

  /**
   * Days a dedup record (and so the replay protection) is kept: 7 to 3650.
   *
   * @default 30
   */
  readonly retentionDays?: number;
}

/**
 * Reads a `callhooks.config.json` (the file the ready-made app and the local mode read) into a
 * {@link CallhooksConfiguration}, validated by the file's rules.
 *
 * @example
 * import { Callhooks, CallhooksConfigFile } from 'callhooks';
 *
 * // In TypeScript, `{ ...CallhooksConfigFile.read(path), eventBus: myBus }` does the same.
 * const config = CallhooksConfigFile.read('callhooks.config.json');
 * new Callhooks(this, 'Callhooks', {
 *   vendors: config.vendors,
 *   customVendors: config.customVendors,
 *   maxBodyBytes: config.maxBodyBytes,
 *   maxEventBytes: config.maxEventBytes,
 *   retentionDays: config.retentionDays,
 *   eventBus: myBus,
 * });
 */
export class CallhooksConfigFile {
  /**
   * The configuration in a file.
   *
   * @param path the file, relative to the current folder
   */
  public static read(path: string): CallhooksConfiguration {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`Callhooks: cannot read the configuration file ${path}: ${(err as Error).message}`, { cause: err });
    }
    return CallhooksConfigFile.parse(text, path);
  }

  /**
   * The configuration in a JSON text.
   *
   * @param json the text of a `callhooks.config.json`
   * @param source what to call the text in error messages
   * @default source 'the configuration'
   */
  public static parse(json: string, source: string = 'the configuration'): CallhooksConfiguration {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch (err) {
      throw new Error(`Callhooks: ${source} is not JSON: ${(err as Error).message}`, { cause: err });
    }
    return configurationFromJson(raw, source);
  }

  private constructor() {}
}
