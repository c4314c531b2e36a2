import { useCallback, useEffect, useState } from 'preact/hooks';
import { Dialog } from '../components/dialog.js';
import { ErrorBox, Field, Spinner } from '../components/ui.js';
import { useConsole } from '../context.js';
import { DAY_MS, apiTime, localDateTime, parseApiTime } from '../lib/format.js';
import { browserUrl } from '../lib/media-url.js';
import { ICE_VERSION, RpcError } from '../lib/rpc-client.js';

type Probe = 'checking' | 'absent' | 'present' | { error: unknown };

const ICE = { version: ICE_VERSION };
const ABSENT_CODES = ['InvalidVersion', 'InvalidAction.NotFound', 'InvalidApi.NotFound'];

interface Media {
  Type: string;
  Media: string;
}

interface FileJob {
  JobId: string;
  Name: string;
  Type: string;
  Status: 'Init' | 'Success' | 'Fail' | string;
  Code?: string;
  Message?: string;
  Count: number;
  TemplateId: string;
  TemplateConfig?: string;
  PipelineId: string;
  Input: Media;
  Output: Media;
  CreateTime: string;
  FinishTime?: string;
}

interface LiveJob {
  JobId: string;
  JobName: string;
  TemplateId: string;
  TemplateName: string;
  Status: 'init' | 'started' | 'paused' | string;
  TimeInterval: number;
  CreateTime: string;
  SnapshotOutput: { StorageType: string; Endpoint: string; Bucket: string };
  StreamInput?: { Type: string; Url: string };
  OverwriteFormat?: string;
  SequenceFormat?: string;
  CallbackUrl?: string;
}

function when(t: string | undefined): string {
  const ms = parseApiTime(t);
  return ms === undefined ? (t ?? '–') : localDateTime(ms);
}

function StatusBadge({ status }: { status: string }) {
  const kind = /^(success|started)$/i.test(status)
    ? 'ok'
    : /^fail/i.test(status)
      ? 'bad'
      : 'neutral';
  return <span class={`status status-${kind}`}>{status}</span>;
}

/**
 * Snapshot jobs (ICE 2020-11-09): file jobs (SubmitSnapshotJob) and live snapshot jobs
 * (SubmitLiveSnapshotJob), with status, results (images, sprites, the WebVTT track) and
 * errors. When the server does not offer the job actions the page says so.
 */
export function JobsPage() {
  const { client } = useConsole();
  const [probe, setProbe] = useState<Probe>('checking');
  useEffect(() => {
    let live = true;
    client
      .call('ListSnapshotJobs', { PageSize: 1 }, ICE)
      .then(() => live && setProbe('present'))
      .catch((err: unknown) => {
        if (!live) return;
        const absent = err instanceof RpcError && ABSENT_CODES.includes(err.code);
        setProbe(absent ? 'absent' : { error: err });
      });
    return () => {
      live = false;
    };
  }, [client]);

  return (
    <section class="page">
      <h1 tabIndex={-1}>Snapshot jobs</h1>
      {probe === 'checking' && <Spinner label="Asking this server whether it offers jobs…" />}
      {probe === 'present' && (
        <>
          <FileJobs />
          <LiveJobs />
        </>
      )}
      {(probe === 'absent' || typeof probe === 'object') && (
        <div class="card notice-card">
          <h2>Coming with snapshot jobs</h2>
          <p>
            Snapshot jobs take snapshots, sprites and WebVTT thumbnails of video files and pulled
            live streams (the Intelligent Media Services <code>SubmitSnapshotJob</code> and{' '}
            <code>SubmitLiveSnapshotJob</code> actions). This page lists them once livesnap offers
            them.
          </p>
          {probe === 'absent' && (
            <p class="muted">This server does not offer the snapshot job actions yet.</p>
          )}
          {typeof probe === 'object' && <ErrorBox error={probe.error} />}
        </div>
      )}
    </section>
  );
}

const PAGE = 20;
const REFRESH_MS = 4000;

function FileJobs() {
  const { client } = useConsole();
  const [status, setStatus] = useState('');
  const [jobs, setJobs] = useState<FileJob[]>();
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState<string>();

  const load = useCallback(
    async (token = '') => {
      try {
        const res = await client.call<{ Jobs: FileJob[]; NextPageToken?: string }>(
          'ListSnapshotJobs',
          {
            PageSize: PAGE,
            OrderBy: 'CreateTimeDesc',
            Status: status || undefined,
            NextPageToken: token || undefined,
          },
          ICE,
        );
        setJobs((prev) => (token ? [...(prev ?? []), ...res.Jobs] : res.Jobs));
        setNext(res.NextPageToken ?? '');
        setError(undefined);
      } catch (err) {
        setError(err);
      }
    },
    [client, status],
  );
  useEffect(() => {
    void load();
  }, [load]);

  // while jobs run (first page shown), refresh by itself
  const running = jobs?.some((j) => j.Status === 'Init') ?? false;
  const onePage = (jobs?.length ?? 0) <= PAGE;
  useEffect(() => {
    if (!running || !onePage) return;
    const t = window.setTimeout(() => void load(), REFRESH_MS);
    return () => window.clearTimeout(t);
  }, [running, onePage, jobs, load]);

  return (
    <section class="panel" aria-labelledby="file-jobs-title">
      <div class="panel-head">
        <h2 id="file-jobs-title">Snapshot jobs on files</h2>
        <div class="buttons start">
          <Field label="Status" class="inline-field">
            {(f) => (
              <select id={f.id} value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
                <option value="">All</option>
                <option value="Init">Running or queued</option>
                <option value="Success">Succeeded</option>
                <option value="Fail">Failed</option>
              </select>
            )}
          </Field>
          <button type="button" class="secondary" onClick={() => void load()}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorBox error={error} context="The jobs could not be loaded:" />
      {!jobs && !error && <Spinner label="Loading jobs…" />}
      {jobs && jobs.length === 0 && (
        <p class="empty">
          No jobs{status ? ' with this status' : ''}. Submit one with <code>SubmitSnapshotJob</code>{' '}
          (API version 2020-11-09).
        </p>
      )}
      {jobs && jobs.length > 0 && (
        <div class="table-wrap">
          <table class="rules jobs">
            <caption class="visually-hidden">Snapshot jobs on files, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Images</th>
                <th scope="col">Input → output</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.JobId} data-job={j.JobId}>
                  <th scope="row" data-label="Job">
                    {j.Name || 'unnamed'}
                    <div class="mono muted small">{j.JobId}</div>
                  </th>
                  <td data-label="Type">{j.Type}</td>
                  <td data-label="Status">
                    <StatusBadge status={j.Status} />
                  </td>
                  <td data-label="Images">{j.Status === 'Success' ? j.Count : '–'}</td>
                  <td data-label="Input → output" class="mono break">
                    {j.Input.Media} → {j.Output.Media}
                  </td>
                  <td data-label="Created">{when(j.CreateTime)}</td>
                  <td class="row-actions">
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Details of job ${j.Name || j.JobId}`}
                      onClick={() => setOpen(j.JobId)}
                    >
                      Details
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <div class="buttons center">
          <button type="button" class="secondary" onClick={() => void load(next)}>
            Load more jobs
          </button>
        </div>
      )}
      {open && <FileJobDialog jobId={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}

function FileJobDialog({ jobId, onClose }: { jobId: string; onClose: () => void }) {
  const { client } = useConsole();
  const [job, setJob] = useState<FileJob>();
  const [urls, setUrls] = useState<{ Total: number; SnapshotUrls: string[]; WebVTTUrl?: string }>();
  const [vtt, setVtt] = useState<string>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const res = await client.call<{ SnapshotJob: FileJob }>(
          'GetSnapshotJob',
          { JobId: jobId },
          ICE,
        );
        if (!live) return;
        setJob(res.SnapshotJob);
        if (res.SnapshotJob.Status !== 'Success') return;
        const u = await client.call<{ Total: number; SnapshotUrls: string[]; WebVTTUrl?: string }>(
          'GetSnapshotUrls',
          { JobId: jobId, PageSize: 30, OrderBy: 'Asc' },
          ICE,
        );
        if (!live) return;
        setUrls(u);
        if (u.WebVTTUrl) {
          const text = await (await fetch(browserUrl(u.WebVTTUrl), { credentials: 'omit' })).text();
          if (live) setVtt(text.split('\n').slice(0, 80).join('\n'));
        }
      } catch (err) {
        if (live) setError(err);
      }
    })();
    return () => {
      live = false;
    };
  }, [client, jobId]);

  return (
    <Dialog title={job ? `Job ${job.Name || job.JobId}` : 'Job'} onClose={onClose} class="viewer">
      <ErrorBox error={error} />
      {!job && !error && <Spinner label="Loading the job…" />}
      {job && (
        <>
          {job.Status === 'Fail' && (
            <div class="error" role="alert">
              <p>
                <code class="error-code">{job.Code}</code>{' '}
                <span class="error-message">{job.Message}</span>
              </p>
            </div>
          )}
          <dl class="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={job.Status} />
              </dd>
            </div>
            <div>
              <dt>Type</dt>
              <dd>
                {job.Type}, {job.Count} image{job.Count === 1 ? '' : 's'}
              </dd>
            </div>
            <div>
              <dt>Input</dt>
              <dd class="mono break">{job.Input.Media}</dd>
            </div>
            <div>
              <dt>Output</dt>
              <dd class="mono break">{job.Output.Media}</dd>
            </div>
            <div>
              <dt>Template</dt>
              <dd class="mono break">
                {job.TemplateId}{' '}
                {job.TemplateConfig && <span class="muted">{job.TemplateConfig}</span>}
              </dd>
            </div>
            <div>
              <dt>Created, finished</dt>
              <dd>
                {when(job.CreateTime)}, {job.FinishTime ? when(job.FinishTime) : 'not yet'}
              </dd>
            </div>
          </dl>
          {urls && (
            <>
              <h3>
                Results{' '}
                <span class="muted">
                  ({urls.Total} file{urls.Total === 1 ? '' : 's'}
                  {urls.Total > urls.SnapshotUrls.length
                    ? `, first ${urls.SnapshotUrls.length} shown`
                    : ''}
                  )
                </span>
              </h3>
              <ul class="job-images">
                {urls.SnapshotUrls.map((u, i) => (
                  <li key={u}>
                    <a href={browserUrl(u)} target="_blank" rel="noopener noreferrer">
                      <img
                        src={browserUrl(u)}
                        alt={`Result ${i + 1} of job ${job.Name || job.JobId}`}
                        loading="lazy"
                      />
                    </a>
                  </li>
                ))}
              </ul>
              {vtt !== undefined && (
                <>
                  <h3>WebVTT track</h3>
                  <pre class="vtt" tabIndex={0} aria-label="WebVTT track">
                    {vtt}
                  </pre>
                </>
              )}
            </>
          )}
        </>
      )}
    </Dialog>
  );
}

function LiveJobs() {
  const { client, announce } = useConsole();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ TotalCount: number; JobList: LiveJob[] }>();
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState<string>();

  const load = useCallback(async () => {
    try {
      setData(
        await client.call<{ TotalCount: number; JobList: LiveJob[] }>(
          'ListLiveSnapshotJobs',
          { PageNo: page, PageSize: PAGE, SortBy: 'desc' },
          ICE,
        ),
      );
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, [client, page]);
  useEffect(() => {
    void load();
  }, [load]);

  const command = async (job: LiveJob, cmd: 'start' | 'stop') => {
    try {
      await client.call('SendLiveSnapshotJobCommand', { JobId: job.JobId, Command: cmd }, ICE);
      announce(cmd === 'start' ? `Job ${job.JobName} started.` : `Job ${job.JobName} stopped.`);
      await load();
    } catch (err) {
      setError(err);
    }
  };

  const pages = data ? Math.max(1, Math.ceil(data.TotalCount / PAGE)) : 1;
  return (
    <section class="panel" aria-labelledby="live-jobs-title">
      <div class="panel-head">
        <h2 id="live-jobs-title">Live snapshot jobs</h2>
        <button type="button" class="secondary" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <p class="muted">Jobs created in the last 7 days that pull a stream and snapshot it.</p>
      <ErrorBox error={error} />
      {!data && !error && <Spinner label="Loading live jobs…" />}
      {data && data.JobList.length === 0 && (
        <p class="empty">
          No live snapshot jobs. Create a template and submit one with{' '}
          <code>SubmitLiveSnapshotJob</code>.
        </p>
      )}
      {data && data.JobList.length > 0 && (
        <div class="table-wrap">
          <table class="rules jobs">
            <caption class="visually-hidden">Live snapshot jobs</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Template</th>
                <th scope="col">Status</th>
                <th scope="col">Interval</th>
                <th scope="col">Output</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.JobList.map((j) => (
                <tr key={j.JobId} data-job={j.JobId}>
                  <th scope="row" data-label="Job">
                    {j.JobName}
                    <div class="mono muted small">{j.JobId}</div>
                  </th>
                  <td data-label="Template">{j.TemplateName}</td>
                  <td data-label="Status">
                    <StatusBadge status={j.Status} />
                  </td>
                  <td data-label="Interval">{j.TimeInterval} s</td>
                  <td data-label="Output">
                    {j.SnapshotOutput.Endpoint} / {j.SnapshotOutput.Bucket}
                  </td>
                  <td data-label="Created">{when(j.CreateTime)}</td>
                  <td class="row-actions">
                    {j.Status === 'started' ? (
                      <button
                        type="button"
                        class="secondary"
                        onClick={() => void command(j, 'stop')}
                      >
                        Stop<span class="visually-hidden"> {j.JobName}</span>
                      </button>
                    ) : (
                      <button
                        type="button"
                        class="secondary"
                        onClick={() => void command(j, 'start')}
                      >
                        Start<span class="visually-hidden"> {j.JobName}</span>
                      </button>
                    )}
                    <button type="button" class="secondary" onClick={() => setOpen(j.JobId)}>
                      Details<span class="visually-hidden"> of {j.JobName}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav class="pager" aria-label="Pages of live snapshot jobs">
          <button
            type="button"
            class="secondary"
            disabled={page <= 1}
            onClick={() => setPage(page - 1)}
          >
            ← Previous
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button
            type="button"
            class="secondary"
            disabled={page >= pages}
            onClick={() => setPage(page + 1)}
          >
            Next →
          </button>
        </nav>
      )}
      {open && <LiveJobDialog jobId={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}

interface LiveFile {
  OssObject: string;
  CreateTime: string;
  CreateTimestamp: number;
  IsOverlay: boolean;
  Url?: string;
}

function LiveJobDialog({ jobId, onClose }: { jobId: string; onClose: () => void }) {
  const { client } = useConsole();
  const [job, setJob] = useState<LiveJob>();
  const [files, setFiles] = useState<LiveFile[]>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const j = await client.call<LiveJob>('GetLiveSnapshotJob', { JobId: jobId }, ICE);
        if (!live) return;
        setJob(j);
        const end = Math.ceil(Date.now() / 1000) * 1000 + 60_000;
        const f = await client.call<{ FileList: LiveFile[] }>(
          'ListLiveSnapshotFiles',
          {
            JobId: jobId,
            StartTime: apiTime(end - DAY_MS),
            EndTime: apiTime(end),
            SortBy: 'desc',
            Limit: 12,
          },
          ICE,
        );
        if (live) setFiles(f.FileList);
      } catch (err) {
        if (live) setError(err);
      }
    })();
    return () => {
      live = false;
    };
  }, [client, jobId]);

  return (
    <Dialog title={job ? `Live job ${job.JobName}` : 'Live job'} onClose={onClose} class="viewer">
      <ErrorBox error={error} />
      {!job && !error && <Spinner label="Loading the job…" />}
      {job && (
        <dl class="facts">
          <div>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={job.Status} />
            </dd>
          </div>
          <div>
            <dt>Source</dt>
            <dd class="mono break">{job.StreamInput?.Url ?? '–'}</dd>
          </div>
          <div>
            <dt>Interval</dt>
            <dd>{job.TimeInterval} s</dd>
          </div>
          <div>
            <dt>Object names</dt>
            <dd class="mono break">
              {[job.OverwriteFormat, job.SequenceFormat].filter(Boolean).join(' · ') || '–'}
            </dd>
          </div>
          <div>
            <dt>Callback</dt>
            <dd class="mono break">{job.CallbackUrl || '–'}</dd>
          </div>
        </dl>
      )}
      {files && (
        <>
          <h3>Latest files (last 24 hours)</h3>
          {files.length === 0 ? (
            <p class="empty">No files yet.</p>
          ) : (
            <ul class="job-images">
              {files.map((f) => (
                <li key={`${f.CreateTimestamp}-${f.IsOverlay}`}>
                  {f.Url ? (
                    <img
                      src={browserUrl(f.Url)}
                      alt={`${f.OssObject}, ${when(f.CreateTime)}`}
                      loading="lazy"
                    />
                  ) : (
                    <span class="mono">{f.OssObject}</span>
                  )}
                  <span class="small">{when(f.CreateTime)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Dialog>
  );
}
