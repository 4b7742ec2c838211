// A small host for the subgraph's compiled AssemblyScript mappings (the .wasm files `graph build` writes): it
// implements the graph-ts imports the mappings use (store.get/set, keccak256, BigInt arithmetic and conversions),
// builds each log as graph-ts's `ethereum.Event` in the module's memory and calls the manifest's handler, exactly as
// graph-node does. Matchstick and graph-node cannot be installed here; this is what runs the mappings themselves —
// in the subgraph tests (entities compared with the chain) and in the local indexer (src/store/indexer.ts), which
// thereby writes the same entities as the deployed subgraph.
//
// Memory layout (AssemblyScript ≥ 0.19, `--runtime stub`, as graph-cli compiles): every object is allocated with the
// module's exported `__new(size, classId)`; class ids come from graph-ts's exported `id_of_type(TypeId)`. Strings are
// UTF-16LE with the byte length in the header (`ptr - 4`); ArrayBuffer holds bytes; Uint8Array (Bytes, BigInt,
// Address) is {buffer, dataStart, byteLength}; Array<T> is {buffer, dataStart, byteLength, length}; graph-ts Value
// and ethereum.Value are {kind: i32, pad, data: u64}. The stub runtime never frees, so an instance is replaced once
// its memory passes MAX_INSTANCE_BYTES.

import { keccak256 } from "ethers";
import type { LogDescription, ParamType } from "ethers";

/** graph-ts `TypeId` discriminants (global/global.ts) of the classes the host allocates. */
const TypeId = {
  String: 0,
  ArrayBuffer: 1,
  Uint8Array: 6,
  ArrayEthereumValue: 15,
  ArrayStoreValue: 16,
  ArrayEventParam: 19,
  ArrayTypedMapEntryStringStoreValue: 21,
  EventParam: 23,
  EthereumTransaction: 24,
  EthereumBlock: 25,
  EthereumValue: 30,
  StoreValue: 31,
  EthereumEvent: 33,
  TypedMapEntryStringStoreValue: 34,
  TypedMapStringStoreValue: 36,
} as const;

/** graph-ts store `ValueKind` (common/value.ts). */
export const StoreKind = {
  STRING: 0,
  INT: 1,
  BIGDECIMAL: 2,
  BOOL: 3,
  ARRAY: 4,
  NULL: 5,
  BYTES: 6,
  BIGINT: 7,
  INT8: 8,
  TIMESTAMP: 9,
} as const;

/** graph-ts `ethereum.ValueKind` (chain/ethereum.ts). */
const EthKind = {
  ADDRESS: 0,
  FIXED_BYTES: 1,
  BYTES: 2,
  INT: 3,
  UINT: 4,
  BOOL: 5,
  STRING: 6,
  FIXED_ARRAY: 7,
  ARRAY: 8,
  TUPLE: 9,
} as const;

/** One entity field value as the mappings store it: the kind is kept so it goes back into the module unchanged. */
export type FieldValue =
  | { kind: "string"; value: string }
  | { kind: "int"; value: number }
  | { kind: "bigint"; value: bigint }
  | { kind: "bool"; value: boolean }
  | { kind: "bytes"; value: string }
  | { kind: "null" }
  | { kind: "array"; value: FieldValue[] };

/** An entity's fields by name (the `id` included). */
export type EntityData = Map<string, FieldValue>;

/**
 * What the mappings read and write. `get` is synchronous (a wasm import cannot wait): a store that does not know
 * the entity yet throws `EntityNeeded`; the caller loads it and runs the event again (see `MappingRuntime.handle`).
 */
export interface EntityAccess {
  get(entity: string, id: string): EntityData | null;
  set(entity: string, id: string, data: EntityData): void;
}

/** Thrown by an EntityAccess whose `get` must first load an entity from its database. */
export class EntityNeeded extends Error {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`entity ${entity} ${id} not loaded`);
  }
}

/** A mapping aborted (graph-ts `abort`: an assertion, a null required field, an overflow). */
export class MappingAbort extends Error {}

/** The block and transaction of a log, as much as the mappings can see of them. */
export interface EventContext {
  address: string;
  blockNumber: number;
  blockHash: string;
  parentHash: string;
  timestamp: number;
  transactionHash: string;
  transactionIndex: number;
  from?: string;
  logIndex: number;
}

// The project's TypeScript libs carry no WebAssembly types (no DOM lib): the few members used, typed here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
/** A compiled module (WebAssembly.Module). */
export type WasmModule = object;
type WasmImports = Record<string, Record<string, (...args: number[]) => unknown>>;
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (module: WasmModule, imports: WasmImports) => { exports: unknown };
    };
  }
).WebAssembly;

/** Compiles a mapping module's bytes (once per data source; instances are made from it). */
export function compileModule(bytes: Uint8Array): WasmModule {
  return new wasm.Module(bytes);
}

/** Replace an instance when its (never freed) memory grows past this. */
const MAX_INSTANCE_BYTES = 8 * 1024 * 1024;
const ZERO32 = `0x${"00".repeat(32)}`;
const ZERO20 = `0x${"00".repeat(20)}`;

function hexToBytes(hex: string): Uint8Array {
  const clean = hex.startsWith("0x") ? hex.slice(2) : hex;
  return Uint8Array.from(Buffer.from(clean.length % 2 === 1 ? `0${clean}` : clean, "hex"));
}

function bytesToHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

/** Two's complement little-endian bytes of `value` (graph-ts BigInt), minimal length (zero: one byte). */
export function bigIntToBytes(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(v & 0xffn);
    out.push(byte);
    v >>= 8n;
    const signBit = (byte & 0x80) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) break;
  }
  return Uint8Array.from(out);
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  if (((bytes[bytes.length - 1] ?? 0) & 0x80) !== 0) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

interface Exports {
  memory: WasmMemory;
  __new(size: number, id: number): number;
  id_of_type(typeId: number): number;
  _start(): void;
  [handler: string]: unknown;
}

/** One instance of one compiled mapping module, with the host imports bound to an EntityAccess. */
class MappingInstance {
  private readonly exports: Exports;
  private readonly ids = new Map<number, number>();
  private memoryView: DataView | undefined;

  constructor(
    module: WasmModule,
    private readonly store: () => EntityAccess,
  ) {
    const instance = new wasm.Instance(module, this.imports());
    this.exports = instance.exports as Exports;
    this.exports._start();
  }

  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  call(handler: string, eventPtr: () => number): void {
    const fn = this.exports[handler];
    if (typeof fn !== "function") throw new Error(`the module exports no handler ${handler}`);
    (fn as (ptr: number) => void)(eventPtr());
  }

  // ---- memory ------------------------------------------------------------------------------------------------

  /** A view of the module's memory (a new one only after the memory grew: growing replaces the buffer). */
  private view(): DataView {
    const buffer = this.exports.memory.buffer;
    if (this.memoryView?.buffer !== buffer) this.memoryView = new DataView(buffer);
    return this.memoryView;
  }

  private classId(typeId: number): number {
    let id = this.ids.get(typeId);
    if (id === undefined) {
      id = this.exports.id_of_type(typeId);
      this.ids.set(typeId, id);
    }
    return id;
  }

  private alloc(size: number, typeId: number): number {
    return this.exports.__new(size, this.classId(typeId));
  }

  private sizeOf(ptr: number): number {
    return this.view().getUint32(ptr - 4, true);
  }

  readString(ptr: number): string {
    if (ptr === 0) return "";
    const size = this.sizeOf(ptr);
    return Buffer.from(this.exports.memory.buffer, ptr, size).toString("utf16le");
  }

  writeString(value: string): number {
    const bytes = Buffer.from(value, "utf16le");
    const ptr = this.alloc(bytes.length, TypeId.String);
    new Uint8Array(this.exports.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  /** A Uint8Array (graph-ts Bytes, BigInt, Address, ByteArray) as bytes. */
  readBytes(ptr: number): Uint8Array {
    const v = this.view();
    const dataStart = v.getUint32(ptr + 4, true);
    const length = v.getUint32(ptr + 8, true);
    return new Uint8Array(this.exports.memory.buffer.slice(dataStart, dataStart + length));
  }

  writeBytes(bytes: Uint8Array): number {
    const buffer = this.alloc(bytes.length, TypeId.ArrayBuffer);
    new Uint8Array(this.exports.memory.buffer, buffer, bytes.length).set(bytes);
    const ptr = this.alloc(12, TypeId.Uint8Array);
    const v = this.view();
    v.setUint32(ptr, buffer, true);
    v.setUint32(ptr + 4, buffer, true);
    v.setUint32(ptr + 8, bytes.length, true);
    return ptr;
  }

  private writeBigInt(value: bigint): number {
    return this.writeBytes(bigIntToBytes(value));
  }

  /** Element pointers (or 32-bit values) of an Array<T>. */
  private readArray(ptr: number): number[] {
    const v = this.view();
    const dataStart = v.getUint32(ptr + 4, true);
    const length = v.getUint32(ptr + 12, true);
    const out: number[] = [];
    for (let i = 0; i < length; i++) out.push(v.getUint32(dataStart + i * 4, true));
    return out;
  }

  private writeArray(elements: number[], typeId: number): number {
    const buffer = this.alloc(elements.length * 4, TypeId.ArrayBuffer);
    let v = this.view();
    elements.forEach((e, i) => v.setUint32(buffer + i * 4, e, true));
    const ptr = this.alloc(16, typeId);
    v = this.view();
    v.setUint32(ptr, buffer, true);
    v.setUint32(ptr + 4, buffer, true);
    v.setUint32(ptr + 8, elements.length * 4, true);
    v.setUint32(ptr + 12, elements.length, true);
    return ptr;
  }

  /** A {kind: i32, data: u64} enum value (graph-ts Value / ethereum.Value). */
  private writeEnum(kind: number, data: bigint, typeId: number): number {
    const ptr = this.alloc(16, typeId);
    const v = this.view();
    v.setInt32(ptr, kind, true);
    v.setBigUint64(ptr + 8, BigInt.asUintN(64, data), true);
    return ptr;
  }

  private writeObject(fields: number[], typeId: number): number {
    const ptr = this.alloc(fields.length * 4, typeId);
    const v = this.view();
    fields.forEach((f, i) => v.setUint32(ptr + i * 4, f, true));
    return ptr;
  }

  // ---- store values --------------------------------------------------------------------------------------------

  private readStoreValue(ptr: number): FieldValue {
    const v = this.view();
    const kind = v.getInt32(ptr, true);
    const data = v.getBigUint64(ptr + 8, true);
    const p = Number(data & 0xffffffffn);
    switch (kind) {
      case StoreKind.STRING:
        return { kind: "string", value: this.readString(p) };
      case StoreKind.INT:
        return { kind: "int", value: Number(BigInt.asIntN(32, data)) };
      case StoreKind.BOOL:
        return { kind: "bool", value: data !== 0n };
      case StoreKind.ARRAY:
        return { kind: "array", value: this.readArray(p).map((e) => this.readStoreValue(e)) };
      case StoreKind.NULL:
        return { kind: "null" };
      case StoreKind.BYTES:
        return { kind: "bytes", value: bytesToHex(this.readBytes(p)) };
      case StoreKind.BIGINT:
        return { kind: "bigint", value: bytesToBigInt(this.readBytes(p)) };
      default:
        throw new MappingAbort(`store value kind ${kind} is not supported by this host`);
    }
  }

  private writeStoreValue(value: FieldValue): number {
    switch (value.kind) {
      case "string":
        return this.writeEnum(StoreKind.STRING, BigInt(this.writeString(value.value)), TypeId.StoreValue);
      case "int":
        return this.writeEnum(StoreKind.INT, BigInt(value.value), TypeId.StoreValue);
      case "bool":
        return this.writeEnum(StoreKind.BOOL, value.value ? 1n : 0n, TypeId.StoreValue);
      case "array": {
        const items = value.value.map((e) => this.writeStoreValue(e));
        return this.writeEnum(
          StoreKind.ARRAY,
          BigInt(this.writeArray(items, TypeId.ArrayStoreValue)),
          TypeId.StoreValue,
        );
      }
      case "null":
        return this.writeEnum(StoreKind.NULL, 0n, TypeId.StoreValue);
      case "bytes":
        return this.writeEnum(
          StoreKind.BYTES,
          BigInt(this.writeBytes(hexToBytes(value.value))),
          TypeId.StoreValue,
        );
      case "bigint":
        return this.writeEnum(StoreKind.BIGINT, BigInt(this.writeBigInt(value.value)), TypeId.StoreValue);
    }
  }

  private readEntity(ptr: number): EntityData {
    const entries = this.readArray(this.view().getUint32(ptr, true));
    const data: EntityData = new Map();
    for (const entry of entries) {
      const v = this.view();
      data.set(this.readString(v.getUint32(entry, true)), this.readStoreValue(v.getUint32(entry + 4, true)));
    }
    return data;
  }

  private writeEntity(data: EntityData): number {
    const entries = [...data].map(([key, value]) =>
      this.writeObject(
        [this.writeString(key), this.writeStoreValue(value)],
        TypeId.TypedMapEntryStringStoreValue,
      ),
    );
    return this.writeObject(
      [this.writeArray(entries, TypeId.ArrayTypedMapEntryStringStoreValue)],
      TypeId.TypedMapStringStoreValue,
    );
  }

  // ---- ethereum values -----------------------------------------------------------------------------------------

  writeEthValue(type: ParamType, value: unknown): number {
    const enumValue = (kind: number, data: number | bigint) =>
      this.writeEnum(kind, BigInt(data), TypeId.EthereumValue);
    if (type.isArray()) {
      const child = type.arrayChildren;
      const items = (value as unknown[]).map((item) => this.writeEthValue(child, item));
      const kind = type.arrayLength === -1 ? EthKind.ARRAY : EthKind.FIXED_ARRAY;
      return enumValue(kind, this.writeArray(items, TypeId.ArrayEthereumValue));
    }
    if (type.isTuple()) {
      const items = type.components.map((c, i) => this.writeEthValue(c, (value as unknown[])[i]));
      return enumValue(EthKind.TUPLE, this.writeArray(items, TypeId.ArrayEthereumValue));
    }
    // An indexed dynamic value (string, bytes, array) arrives as its topic hash.
    const hash = (value as { hash?: unknown } | null)?.hash;
    if (typeof hash === "string") return enumValue(EthKind.FIXED_BYTES, this.writeBytes(hexToBytes(hash)));
    const base = type.baseType;
    if (base === "address") return enumValue(EthKind.ADDRESS, this.writeBytes(hexToBytes(String(value))));
    if (base === "bool") return enumValue(EthKind.BOOL, value === true ? 1 : 0);
    if (base === "string") return enumValue(EthKind.STRING, this.writeString(String(value)));
    if (base === "bytes") return enumValue(EthKind.BYTES, this.writeBytes(hexToBytes(String(value))));
    if (base.startsWith("bytes"))
      return enumValue(EthKind.FIXED_BYTES, this.writeBytes(hexToBytes(String(value))));
    if (base.startsWith("uint")) return enumValue(EthKind.UINT, this.writeBigInt(BigInt(value as bigint)));
    if (base.startsWith("int")) return enumValue(EthKind.INT, this.writeBigInt(BigInt(value as bigint)));
    throw new Error(`unsupported ABI type ${type.format()}`);
  }

  /** graph-ts `ethereum.Event` for a decoded log. */
  writeEvent(parsed: LogDescription, ctx: EventContext): number {
    const zero32 = () => this.writeBytes(hexToBytes(ZERO32));
    const bigint = (n: number | bigint) => this.writeBigInt(BigInt(n));
    const block = this.writeObject(
      [
        this.writeBytes(hexToBytes(ctx.blockHash)),
        this.writeBytes(hexToBytes(ctx.parentHash)),
        zero32(),
        this.writeBytes(hexToBytes(ZERO20)),
        zero32(),
        zero32(),
        zero32(),
        bigint(ctx.blockNumber),
        bigint(0),
        bigint(0),
        bigint(ctx.timestamp),
        bigint(0),
        bigint(0),
        0,
        0,
      ],
      TypeId.EthereumBlock,
    );
    const transaction = this.writeObject(
      [
        this.writeBytes(hexToBytes(ctx.transactionHash)),
        bigint(ctx.transactionIndex),
        this.writeBytes(hexToBytes(ctx.from ?? ZERO20)),
        0,
        bigint(0),
        bigint(0),
        bigint(0),
        this.writeBytes(new Uint8Array()),
        bigint(0),
      ],
      TypeId.EthereumTransaction,
    );
    const params = parsed.fragment.inputs.map((input, i) =>
      this.writeObject(
        [this.writeString(input.name), this.writeEthValue(input, parsed.args[i])],
        TypeId.EventParam,
      ),
    );
    return this.writeObject(
      [
        this.writeBytes(hexToBytes(ctx.address)),
        bigint(ctx.logIndex),
        bigint(ctx.logIndex),
        0,
        block,
        transaction,
        this.writeArray(params, TypeId.ArrayEventParam),
        0,
      ],
      TypeId.EthereumEvent,
    );
  }

  // ---- imports -------------------------------------------------------------------------------------------------

  private imports(): WasmImports {
    const bigint = (ptr: number) => bytesToBigInt(this.readBytes(ptr));
    return {
      env: {
        abort: (message: number, file: number, line: number, column: number) => {
          throw new MappingAbort(
            `mapping aborted: ${this.readString(message)} (${this.readString(file)}:${line}:${column})`,
          );
        },
      },
      index: {
        "store.get": (entity: number, id: number) => {
          const data = this.store().get(this.readString(entity), this.readString(id));
          return data === null ? 0 : this.writeEntity(data);
        },
        "store.set": (entity: number, id: number, data: number) => {
          this.store().set(this.readString(entity), this.readString(id), this.readEntity(data));
        },
        "crypto.keccak256": (input: number) => this.writeBytes(hexToBytes(keccak256(this.readBytes(input)))),
      },
      conversion: {
        "typeConversion.bytesToHex": (ptr: number) => this.writeString(bytesToHex(this.readBytes(ptr))),
        "typeConversion.bigIntToString": (ptr: number) => this.writeString(bigint(ptr).toString()),
        "typeConversion.bigIntToHex": (ptr: number) => {
          const v = bigint(ptr);
          return this.writeString(v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);
        },
      },
      numbers: {
        "bigInt.plus": (a: number, b: number) => this.writeBigInt(bigint(a) + bigint(b)),
        "bigInt.minus": (a: number, b: number) => this.writeBigInt(bigint(a) - bigint(b)),
        "bigInt.times": (a: number, b: number) => this.writeBigInt(bigint(a) * bigint(b)),
        "bigInt.dividedBy": (a: number, b: number) => this.writeBigInt(bigint(a) / bigint(b)),
        "bigInt.mod": (a: number, b: number) => this.writeBigInt(bigint(a) % bigint(b)),
        "bigDecimal.toString": () => {
          throw new MappingAbort("BigDecimal is not supported by this host");
        },
      },
    };
  }
}

/** A compiled mapping module and the instance currently serving it. */
export class MappingModule {
  private instance: MappingInstance | undefined;

  constructor(
    readonly name: string,
    private readonly module: WasmModule,
    private readonly store: () => EntityAccess,
  ) {}

  /** Runs `handler` for one decoded log. */
  handle(handler: string, parsed: LogDescription, ctx: EventContext): void {
    if (this.instance === undefined || this.instance.memoryBytes > MAX_INSTANCE_BYTES) {
      this.instance = new MappingInstance(this.module, this.store);
    }
    const instance = this.instance;
    instance.call(handler, () => instance.writeEvent(parsed, ctx));
  }
}
