import type { Metadata } from 'next';
import { connection } from 'next/server';
import { apiDocumentation, type DocumentedOperation } from '../../../server/api-documentation.js';

export const metadata: Metadata = { title: 'imagefleet HTTP API' };

/** /api/docs: the OpenAPI document (generated from the zod schemas) for people. */
export default async function ApiDocsPage() {
  await connection();
  const { version, groups, schemas } = await apiDocumentation();
  return (
    <main className="mx-auto flex max-w-5xl flex-col gap-10 px-6 py-12">
      <header className="flex flex-col gap-3">
        <h1 className="text-3xl font-semibold tracking-tight">imagefleet HTTP API {version ? <span className="text-base text-neutral-400">v{version}</span> : null}</h1>
        <p className="text-neutral-300">
          Every route answers JSON errors as <code>{'{"error": {"code", "message", "details"?}}'}</code>. When the server has an API token
          (always on a non-loopback address) send <code>Authorization: Bearer &lt;IMAGEFLEET_API_TOKEN&gt;</code>. Routes that change state
          refuse cross-origin browser requests. Machine-readable: <a className="text-sky-400 underline" href="/api/openapi.json">/api/openapi.json</a>{' '}
          (OpenAPI 3.1). Examples: <code>docs/api.md</code> in the repository.
        </p>
      </header>
      {groups.map((group) => (
        <section key={group.tag} className="flex flex-col gap-4" aria-labelledby={`tag-${group.tag}`}>
          <h2 id={`tag-${group.tag}`} className="text-2xl font-semibold">
            {group.tag}
          </h2>
          {group.operations.map((operation) => (
            <Operation key={`${operation.method} ${operation.path}`} operation={operation} />
          ))}
        </section>
      ))}
      <section className="flex flex-col gap-3" aria-labelledby="schemas">
        <h2 id="schemas" className="text-2xl font-semibold">
          Schemas
        </h2>
        {schemas.map((schema) => (
          <details key={schema.name} id={`schema-${schema.name}`} className="rounded border border-neutral-800 bg-neutral-900 p-3">
            <summary className="cursor-pointer font-mono">{schema.name}</summary>
            <pre className="mt-2 overflow-x-auto text-xs text-neutral-300">{schema.json}</pre>
          </details>
        ))}
      </section>
    </main>
  );
}

function Operation({ operation }: { operation: DocumentedOperation }) {
  return (
    <article className="flex flex-col gap-2 rounded-lg border border-neutral-800 bg-neutral-900 p-4">
      <h3 className="flex flex-wrap items-baseline gap-3 font-mono">
        <span className="rounded bg-neutral-800 px-2 py-0.5 text-sm font-semibold uppercase text-sky-300">{operation.method}</span>
        <span>{operation.path}</span>
        {operation.public ? <span className="text-xs text-neutral-400">no token needed</span> : null}
      </h3>
      <p className="font-medium">{operation.summary}</p>
      {operation.description ? <p className="text-sm text-neutral-400">{operation.description}</p> : null}
      {operation.parameters.length > 0 ? (
        <table className="text-sm">
          <thead>
            <tr className="text-left text-neutral-400">
              <th className="pr-4">parameter</th>
              <th className="pr-4">in</th>
              <th className="pr-4">required</th>
              <th>meaning</th>
            </tr>
          </thead>
          <tbody>
            {operation.parameters.map((parameter) => (
              <tr key={`${parameter.in}-${parameter.name}`}>
                <td className="pr-4 font-mono">{parameter.name}</td>
                <td className="pr-4">{parameter.in}</td>
                <td className="pr-4">{parameter.required ? 'yes' : 'no'}</td>
                <td className="text-neutral-400">{parameter.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {operation.requestBody ? <p className="text-sm">Body: {operation.requestBody}</p> : null}
      <ul className="text-sm">
        {operation.responses.map((response) => (
          <li key={response.status}>
            <span className="font-mono">{response.status}</span> — {response.description}
            {response.schema ? <span className="text-neutral-400"> ({response.schema})</span> : null}
          </li>
        ))}
      </ul>
    </article>
  );
}
