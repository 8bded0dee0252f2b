/** An S3-compatible bucket the RunPod worker uploads results to (`BUCKET_*`, as RunPod's own workers name them). */
export interface WorkerBucketSettings {
  /** Endpoint URL including the bucket name, path style. `BUCKET_ENDPOINT_URL`. */
  endpointUrl: string;
  /** `BUCKET_ACCESS_KEY_ID`. */
  accessKeyId: string;
  /** `BUCKET_SECRET_ACCESS_KEY`; never logged. */
  secretAccessKey: string;
  /** Signing region. `BUCKET_REGION`, default `us-east-1` (R2: `auto`). */
  region: string;
}
