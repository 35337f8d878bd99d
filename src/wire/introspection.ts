/** Codecs of what `-info` prints (containerd 2.x): containerd.types.RuntimeInfo. */
import { containerd, google } from './gen/introspection';

export import RuntimeInfo = containerd.types.RuntimeInfo;
export import RuntimeVersion = containerd.types.RuntimeVersion;
export import Any = google.protobuf.Any;
