/**
 * Where live Clockify (and so the simulator) departs from the official OpenAPI spec
 * (`spec/clockify-api/clockify-openapi-official.yaml`). Each entry comes from one line of
 * `spec/clockify-api/REFERENCE.md` and is machine-usable: test/simulator-spec.test.ts patches the
 * spec's schemas with these entries before validating every simulator response with ajv. Nothing
 * else may deviate.
 *
 * A target is a component schema (`schema`) or the 200 response of an operation (`operation`,
 * e.g. `GET /v1/workspaces/{workspaceId}/entities/created`); `pointer` is a JSON pointer inside it
 * ('' = the whole schema). What is allowed:
 * - `nullable`: the value may also be `null`;
 * - `string-enum`: a schema the spec models as `{type: object, oneOf: [{type: string, enum}]}` is
 *   the plain string enum;
 * - `replace`: the sub-schema is replaced by `schema` (the live shape);
 * - `property`: the object also has the property `name` with `schema` (a live key the spec lacks or
 *   names differently); this only adds a check, since the spec never forbids extra keys.
 */
export type DeviationTarget = { schema: string } | { operation: string };

export type DeviationAllow =
  | { kind: 'nullable' }
  | { kind: 'string-enum' }
  | { kind: 'replace'; schema: Record<string, unknown> }
  | { kind: 'property'; name: string; schema: Record<string, unknown>; required?: boolean };

/** One change to the spec: where (target + JSON pointer) and what is allowed there. */
export interface SpecPatch {
  target: DeviationTarget;
  /** JSON pointer inside the target schema ('' = the schema itself). */
  pointer: string;
  allow: DeviationAllow;
}

/** One live deviation documented by REFERENCE.md, with every place of the spec it touches. */
export interface SpecDeviation {
  /** Line of spec/clockify-api/REFERENCE.md stating the live behaviour. */
  referenceLine: number;
  /** The live behaviour, in words. */
  description: string;
  patches: SpecPatch[];
}

const schema = (name: string): DeviationTarget => ({ schema: name });
const op = (operation: string): DeviationTarget => ({ operation });
const nullable = (target: DeviationTarget, pointer: string): SpecPatch => ({ target, pointer, allow: { kind: 'nullable' } });
const property = (target: DeviationTarget, name: string, propSchema: Record<string, unknown>, required = false): SpecPatch =>
  ({ target, pointer: '', allow: { kind: 'property', name, schema: propSchema, required } });
const replace = (target: DeviationTarget, pointer: string, with_: Record<string, unknown>): SpecPatch => ({ target, pointer, allow: { kind: 'replace', schema: with_ } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/** A custom-field value as live: the value itself (the samples show strings), never a wrapping object. */
const plainValue = { type: ['string', 'number', 'boolean', 'array'] };

/** A changed entity: the entity's own DTO chosen by its documentType (rates/custom-field-value changes have no spec DTO). */
const changedEntities = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'documentType'],
    properties: { id: { type: 'string' }, documentType: { type: 'string' }, documentCode: { type: 'string' } },
    allOf: ([['CLIENTS', 'ClientWithCurrencyDtoV1'], ['PROJECTS', 'ProjectDtoV1'], ['TAGS', 'TagDtoV1'], ['TASKS', 'TaskDtoV1'], ['TIME_ENTRY', 'TimeEntryWithRatesDtoV1']] as const)
      .map(([type, dto]) => ({ if: { properties: { documentType: { const: type } } }, then: ref(dto) })),
  },
};

export const SPEC_DEVIATIONS: readonly SpecDeviation[] = [
  // ── Main API (REFERENCE.md §3, §5, §8) ──
  {
    referenceLine: 77,
    description: 'GET /projects?hydrated=true adds the project\'s tasks and custom fields',
    patches: [
      property(schema('ProjectDtoV1'), 'tasks', { type: 'array', items: ref('TaskDtoV1') }),
      property(schema('ProjectDtoV1'), 'customFields', { type: 'array', items: { type: 'object', required: ['customFieldId'], properties: { customFieldId: { type: 'string' }, name: { type: 'string' } } } }),
    ],
  },
  {
    referenceLine: 97,
    description: '/entities/deleted returns a bare array of LogBinDocumentDto, not the {response:[...]} the spec shows',
    patches: [replace(op('GET /v1/workspaces/{workspaceId}/entities/deleted'), '', { type: 'array', items: ref('LogBinDocumentDto') })],
  },
  {
    referenceLine: 208,
    description: 'Rates ({amount, currency}) may be null when unset: workspace, membership, project, task and time-entry rates',
    patches: [
      nullable(schema('WorkspaceDtoV1'), '/properties/hourlyRate'),
      nullable(schema('WorkspaceDtoV1'), '/properties/costRate'),
      nullable(schema('MembershipDtoV1'), '/properties/hourlyRate'),
      nullable(schema('MembershipDtoV1'), '/properties/costRate'),
      nullable(schema('ProjectDtoV1'), '/properties/hourlyRate'),
      nullable(schema('ProjectDtoV1'), '/properties/costRate'),
      nullable(schema('TaskDtoV1'), '/properties/hourlyRate'),
      nullable(schema('TaskDtoV1'), '/properties/costRate'),
      nullable(schema('TimeEntryWithRatesDtoV1'), '/properties/hourlyRate'),
      nullable(schema('TimeEntryWithRatesDtoV1'), '/properties/costRate'),
    ],
  },
  {
    referenceLine: 209,
    description: 'Enums appear as plain strings on the wire; the spec models them as objects with a oneOf string enum',
    patches: ['AccountStatus', 'CustomFieldType', 'EntityCreationPermission', 'Feature', 'TaskStatus']
      .map((name) => ({ target: schema(name), pointer: '', allow: { kind: 'string-enum' as const } })),
  },
  {
    referenceLine: 211,
    description: 'Workspace `features` is an array of strings and `featureSubscriptionType` a string such as "BUNDLE_YEAR_2024" (the spec\'s FeaturePlan refers to itself)',
    patches: [
      replace(schema('WorkspaceDtoV1'), '/properties/features', { type: 'array', items: ref('Feature') }),
      replace(schema('FeaturePlan'), '', { type: 'string', minLength: 1 }),
    ],
  },
  {
    referenceLine: 220,
    description: 'Workspace `subdomain.name` is null when no subdomain is enabled (live sample)',
    patches: [nullable(schema('WorkspaceSubdomainDtoV1'), '/properties/name')],
  },
  {
    referenceLine: 226,
    description: 'workspaceSettings: `adminOnlyPages` is an array (the spec: one enum string) and `automaticLock` is null (live sample)',
    patches: [
      replace(schema('WorkspaceSettingsDtoV1'), '/properties/adminOnlyPages', { type: 'array', items: { type: 'string', enum: ['PROJECT', 'TEAM', 'REPORTS'] } }),
      nullable(schema('WorkspaceSettingsDtoV1'), '/properties/automaticLock'),
    ],
  },
  {
    referenceLine: 232,
    description: 'User `settings` is always present but may be null',
    patches: [nullable(schema('UserDtoV1'), '/properties/settings')],
  },
  {
    referenceLine: 240,
    description: 'A user custom-field value is the value itself (a string in the live sample), not an object',
    patches: [replace(schema('UserCustomFieldValueDtoV1'), '/properties/value', plainValue)],
  },
  {
    referenceLine: 261,
    description: 'Project `duration` is an ISO-8601 duration live (the spec\'s example claims milliseconds)',
    patches: [replace(schema('ProjectDtoV1'), '/properties/duration', { type: 'string', pattern: '^P(?:\\d+D)?(?:T(?:\\d+H)?(?:\\d+M)?(?:\\d+S)?)?$' })],
  },
  {
    referenceLine: 262,
    description: 'Project `budgetEstimate` and `estimateReset` (a live key the spec lacks) can be null (costRate and membership rates: line 208)',
    patches: [nullable(schema('ProjectDtoV1'), '/properties/budgetEstimate'), property(schema('ProjectDtoV1'), 'estimateReset', { type: ['object', 'null'] })],
  },
  {
    referenceLine: 263,
    description: 'Projects carry `clientId` live although the list schema lacks it',
    patches: [property(schema('ProjectDtoV1'), 'clientId', { type: 'string' }, true)],
  },
  {
    referenceLine: 271,
    description: 'Project `timeEstimate.resetOption` is null when no reset is set (live sample)',
    patches: [nullable(schema('TimeEstimateDto'), '/properties/resetOption')],
  },
  {
    referenceLine: 297,
    description: 'Task `assigneeId` (deprecated) is null',
    patches: [nullable(schema('TaskDtoV1'), '/properties/assigneeId')],
  },
  {
    referenceLine: 303,
    description: 'Time entry `tagIds` is null when the entry has no tags; `kioskId` is usually null',
    patches: [nullable(schema('TimeEntryWithRatesDtoV1'), '/properties/tagIds'), nullable(schema('TimeEntryWithRatesDtoV1'), '/properties/kioskId')],
  },
  {
    referenceLine: 306,
    description: 'A running entry has `timeInterval.end` null (a null `duration` with it is marked UNCONFIRMED there)',
    patches: [nullable(schema('TimeIntervalDtoV1'), '/properties/end'), nullable(schema('TimeIntervalDtoV1'), '/properties/duration')],
  },
  {
    referenceLine: 307,
    description: 'hydrated=true time entries add `project`, `task`, `tags[]` and `user` objects (null when the entry has none)',
    patches: [
      property(schema('TimeEntryWithRatesDtoV1'), 'tags', { type: 'array', items: ref('TagDtoV1') }),
      property(schema('TimeEntryWithRatesDtoV1'), 'project', { type: ['object', 'null'], properties: { id: { type: 'string' }, name: { type: 'string' } } }),
      property(schema('TimeEntryWithRatesDtoV1'), 'task', { type: ['object', 'null'], properties: { id: { type: 'string' }, name: { type: 'string' } } }),
      property(schema('TimeEntryWithRatesDtoV1'), 'user', { type: ['object', 'null'], properties: { id: { type: 'string' }, name: { type: 'string' } } }),
    ],
  },
  {
    referenceLine: 311,
    description: 'Time entry references that are unset are null (the live sample has "taskId":null; projectId likewise for entries without a project)',
    patches: [nullable(schema('TimeEntryWithRatesDtoV1'), '/properties/taskId'), nullable(schema('TimeEntryWithRatesDtoV1'), '/properties/projectId')],
  },
  {
    referenceLine: 315,
    description: 'A time-entry custom-field value is the value itself (a string in the live sample; numbers, booleans and lists for other field types), not an object; custom-field default values likewise',
    patches: [
      replace(schema('CustomFieldValueDtoV1'), '/properties/value', plainValue),
      replace(schema('CustomFieldDtoV1'), '/properties/workspaceDefaultValue', plainValue),
      replace(schema('CustomFieldDefaultValuesDtoV1'), '/properties/value', plainValue),
    ],
  },
  {
    referenceLine: 398,
    description: '/entities/created and /entities/updated return a bare array (the spec: a string) of full entity objects plus documentType/documentCode (line 397)',
    patches: [
      replace(op('GET /v1/workspaces/{workspaceId}/entities/created'), '', changedEntities),
      replace(op('GET /v1/workspaces/{workspaceId}/entities/updated'), '', changedEntities),
    ],
  },

  // ── Reports API (REFERENCE.md §4) ──
  {
    referenceLine: 157,
    description: 'Report timestamps carry the request time zone\'s offset (e.g. 2026-08-08T10:15:00+12:00)',
    patches: [
      replace(schema('ReportTimeIntervalDto'), '/properties/start', { type: 'string', format: 'date-time' }),
      replace(schema('ReportTimeIntervalDto'), '/properties/end', { type: 'string', format: 'date-time' }),
    ],
  },
  {
    referenceLine: 176,
    description: 'Detailed entries have `approvalRequestId: null` outside approval requests (live sample)',
    patches: [nullable(schema('TimeEntryDto'), '/properties/approvalRequestId')],
  },
  {
    referenceLine: 183,
    description: 'The detailed report\'s entries are under lower-case `timeentries`',
    patches: [property(schema('TimeEntryDetailedReportDto'), 'timeentries', { type: 'array', items: ref('TimeEntryDto') }, true)],
  },
  {
    referenceLine: 184,
    description: 'The detailed entry id is `_id` (the spec renders it `get_id`)',
    patches: [property(schema('TimeEntryDto'), '_id', { type: 'string', minLength: 1 }, true)],
  },
  {
    referenceLine: 185,
    description: '`totals` may be `[null]` on empty results',
    patches: [
      nullable(schema('TimeEntryDetailedReportDto'), '/properties/totals/items'),
      nullable(schema('TimeEntrySummaryReportDto'), '/properties/totals/items'),
      nullable(schema('TimeEntryWeeklyReportDto'), '/properties/totals/items'),
    ],
  },
  {
    referenceLine: 186,
    description: 'Report durations are integer seconds',
    patches: [
      replace(schema('ReportTimeIntervalDto'), '/properties/duration', { type: 'integer', minimum: 0 }),
      replace(schema('TimeEntryReportTotals'), '/properties/totalTime', { type: 'integer', minimum: 0 }),
      replace(schema('TimeEntryReportTotals'), '/properties/totalBillableTime', { type: 'integer', minimum: 0 }),
      replace(schema('GroupOneDto'), '/properties/duration', { type: 'integer', minimum: 0 }),
    ],
  },
  {
    referenceLine: 193,
    description: 'Summary group nodes are identified by `_id`; `children` nest the next group',
    patches: [property(schema('GroupOneDto'), '_id', { type: 'string' }, true)],
  },
];
