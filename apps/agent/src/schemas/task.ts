/**
 * The JSON schemas of tasks as the API shows and takes them: the routes validate and
 * serialize with them, and the OpenAPI document describes them.
 */
import type { JSONSchema } from "json-schema-to-ts";
import { NO_NUL_PATTERN, NOT_BLANK_PATTERN } from "../platform/errors.ts";
import { TASK_STATUSES } from "../tasks/store.ts";

// Text fields refuse U+0000 (NO_NUL_PATTERN): PostgreSQL cannot store it in text, so it is
// refused up front with a 400 in every store rather than a 500 in one of them.

export const Status = {
  type: "string",
  enum: TASK_STATUSES,
  description: "created -> running -> completed | failed",
} as const satisfies JSONSchema;

export const Task = {
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "title",
    "description",
    "status",
    "attempts",
    "result",
    "error",
    "created_at",
    "updated_at",
  ],
  properties: {
    id: { type: "string", format: "uuid" },
    title: { type: "string" },
    description: { type: ["string", "null"] },
    status: Status,
    attempts: { type: "integer", description: "How many times a runner has picked the task up." },
    result: { description: "What the agent returned, once completed (any JSON value)." },
    error: { type: ["string", "null"], description: "Why the task failed." },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
  },
} as const satisfies JSONSchema;

export const CreateTaskBody = {
  type: "object",
  required: ["title"],
  additionalProperties: false,
  properties: {
    title: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      pattern: NO_NUL_PATTERN,
      allOf: [{ pattern: NOT_BLANK_PATTERN }],
      description: "1 to 200 characters, not only spaces, without U+0000.",
    },
    description: {
      type: "string",
      maxLength: 2000,
      pattern: NO_NUL_PATTERN,
      description: "Up to 2000 characters, without U+0000.",
    },
  },
  examples: [
    {
      title: "Summarise the incident report",
      description: "Two paragraphs: what failed, and what we changed so it does not happen again.",
    },
  ],
} as const satisfies JSONSchema;

export const UpdateTaskBody = {
  type: "object",
  required: ["status"],
  additionalProperties: false,
  properties: { status: Status },
  examples: [{ status: "running" }],
} as const satisfies JSONSchema;

export const TaskParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: {
    id: { type: "string", format: "uuid", description: "The id returned on creation." },
  },
} as const satisfies JSONSchema;

export const DEFAULT_PAGE_SIZE = 20;

export const ListQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    limit: {
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: DEFAULT_PAGE_SIZE,
      description: "Page size, 1 to 100.",
    },
    cursor: {
      type: "string",
      minLength: 1,
      maxLength: 512,
      description: "next_cursor from the previous page.",
    },
    status: Status,
  },
} as const satisfies JSONSchema;

export const TaskPage = {
  type: "object",
  additionalProperties: false,
  required: ["items", "next_cursor"],
  properties: {
    items: { type: "array", items: Task },
    next_cursor: {
      type: ["string", "null"],
      description: "Pass as cursor to get the next page; null on the last page.",
    },
  },
} as const satisfies JSONSchema;
