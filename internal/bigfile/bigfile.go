// Package bigfile generates the large Dockerfile the benchmarks use: about
// 5,000 instructions on about 6,600 lines, in many stages, with global and
// stage ARGs, ENV, line continuations, heredocs and comments.
package bigfile

import (
	"fmt"
	"strings"
)

// Generate returns the benchmark Dockerfile. The output is deterministic.
func Generate() string {
	var b strings.Builder
	b.WriteString("# syntax=docker/dockerfile:1\n")
	b.WriteString("ARG BASE_IMAGE=debian:bookworm-slim\n")
	b.WriteString("ARG GO_VERSION=1.23\n\n")
	const stages = 100
	for s := 0; s < stages; s++ {
		switch s % 4 {
		case 0:
			fmt.Fprintf(&b, "FROM ${BASE_IMAGE} AS stage%d\n", s)
		case 1:
			fmt.Fprintf(&b, "FROM golang:${GO_VERSION} AS stage%d\n", s)
		case 2:
			fmt.Fprintf(&b, "FROM stage%d AS stage%d\n", s-1, s)
		default:
			fmt.Fprintf(&b, "FROM node:20-alpine AS stage%d\n", s)
		}
		fmt.Fprintf(&b, "ARG STAGE_ARG_%d=value%d\n", s, s)
		b.WriteString("WORKDIR /app\n")
		// 47 more instructions per stage: 100 stages * 50 = 5,000, plus the
		// final stage below, make about 5,000.
		for i := 0; i < 47; i++ {
			switch i % 20 {
			case 0:
				fmt.Fprintf(&b, "# step %d of stage %d\n", i, s)
				fmt.Fprintf(&b, "ENV VAR_%d_%d=value_%d PATH_%d=/opt/bin:$PATH\n", s, i, i, i)
			case 1:
				fmt.Fprintf(&b, "RUN apt-get update && \\\n    apt-get install -y --no-install-recommends pkg%d\n", i)
			case 2, 14:
				fmt.Fprintf(&b, "COPY --chown=1000:1000 src/%d/ /app/src/%d/\n", i, i)
			case 3, 18:
				fmt.Fprintf(&b, "LABEL org.example.step%d=\"stage %d\"\n", i, s)
			case 4:
				fmt.Fprintf(&b, "RUN <<EOF\necho building $STAGE_ARG_%d step %d && mkdir -p /app/out/%d\nEOF\n", s, i, i)
			case 5:
				fmt.Fprintf(&b, "RUN --mount=type=cache,target=/root/.cache echo \"${VAR_%d_0}\" > /tmp/%d\n", s, i)
			case 6, 15:
				fmt.Fprintf(&b, "ARG OPT_%d_%d\n", s, i)
			case 7, 13, 17:
				fmt.Fprintf(&b, "RUN echo ${OPT_%d_6:-default} && ls /app/%d\n", s, i)
			case 8:
				b.WriteString("USER 1000:1000\n")
			case 9:
				fmt.Fprintf(&b, "EXPOSE %d/tcp\n", 8000+i)
			case 10, 12, 16:
				fmt.Fprintf(&b, "ENV STEP_%d=%d\n", i, i)
			case 11:
				fmt.Fprintf(&b, "COPY <<EOF /app/conf/%d.conf\nkey=%d\nEOF\n", i, i)
			default:
				fmt.Fprintf(&b, "STOPSIGNAL SIGTERM\n")
			}
		}
	}
	b.WriteString("FROM stage99 AS final\n")
	b.WriteString("COPY --from=stage1 /app/out /out\n")
	b.WriteString("HEALTHCHECK CMD [\"/app/health\"]\n")
	b.WriteString("ENTRYPOINT [\"/app/run\"]\n")
	b.WriteString("CMD [\"--serve\"]\n")
	return b.String()
}
