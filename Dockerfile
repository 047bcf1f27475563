# Speech-Mamba inference server image: `speech-mamba serve` on port 8000. It serves /opt/speech-mamba/model when
# that folder exists (a volume, or baked in by ci/build-image.sh --model), else the default model bundled in the
# runtime jar, so the image works with no model volume at all.
#
# Two ways to build it, one Dockerfile:
#
# 1. Where no image registry is reachable (our CI): ci/build-image.sh builds the jars and a jlink'd Java 25 on the
#    host, stages them as dist/ in a small context, and builds the `prebuilt` target on a local Debian base made
#    by ci/build-base-image.sh:
#        ci/build-image.sh [--model DIR] [--tag speech-mamba:local]
#    (the same as: docker build --target prebuilt --build-arg BASE_IMAGE=speech-mamba/debian-base:bookworm CONTEXT)
#
# 2. Where registries are reachable: everything inside Docker, from the repository root, with BuildKit (the default
#    builder of current Docker; it builds only the stages the target needs, so `prebuilt` and its dist/ are skipped):
#        docker build -t speech-mamba .
#    The build stage starts from a CUDA devel image (nvcc for the PTX kernels), adds Temurin 25 and Maven, builds
#    the jars and jlinks the Java runtime; the runtime stage copies both onto BASE_IMAGE (a CUDA runtime image:
#    cuBLAS and NVRTC; the driver's libcuda comes from the NVIDIA container runtime at `docker run --gpus all`).
#
# Run:  docker run --rm -p 8000:8000 [--gpus all] [-v /path/to/model:/opt/speech-mamba/model:ro] speech-mamba
# Without the volume (and no model baked in) the bundled default model is served. Extra server flags follow the
# image name (they replace the default command, so start them with `serve`); the model is found the same way
# (`--model DIR` or -e SPEECH_MAMBA_MODEL=DIR choose another); JVM options go in JAVA_TOOL_OPTIONS. The JVM is PID 1, so `docker stop` (SIGTERM) drains in-flight requests before exiting.

ARG BASE_IMAGE=nvidia/cuda:13.0.1-runtime-ubuntu24.04
ARG BUILD_IMAGE=nvidia/cuda:13.0.1-devel-ubuntu24.04

# ---- common runtime layout -------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime-base
# No SPEECH_MAMBA_MODEL and no empty model/ folder here: `serve` then takes ./model (= /opt/speech-mamba/model, the
# working directory's) when one is mounted or baked in, and the model inside the runtime jar otherwise.
ENV SPEECH_MAMBA_HOME=/opt/speech-mamba \
    LANG=C.UTF-8
WORKDIR /opt/speech-mamba
EXPOSE 8000
# Any non-root uid works: the server writes only to /tmp (uploads are decoded from short-lived temporary files).
USER 10001:10001
ENTRYPOINT ["/opt/speech-mamba/java/bin/java", "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", \
            "-Xss16m", "-cp", "/opt/speech-mamba/lib/*", "dev.speechmamba.cli.Main"]
CMD ["serve", "--port", "8000"]

# ---- variant 1: artifacts built on the host (ci/build-image.sh stages dist/{java,lib[,model]}) ------------------
FROM runtime-base AS prebuilt
COPY dist/ /opt/speech-mamba/

# ---- variant 2: build inside Docker ---------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
ARG TEMURIN_PACKAGE=temurin-25-jdk
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates wget gpg maven binutils \
 && install -d -m 0755 /etc/apt/keyrings \
 && wget -qO- https://packages.adoptium.net/artifactory/api/gpg/key/public > /etc/apt/keyrings/adoptium.asc \
 && echo "deb [signed-by=/etc/apt/keyrings/adoptium.asc] https://packages.adoptium.net/artifactory/deb $(. /etc/os-release && echo $VERSION_CODENAME) main" \
      > /etc/apt/sources.list.d/adoptium.list \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${TEMURIN_PACKAGE} \
 && rm -rf /var/lib/apt/lists/*
ENV JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
WORKDIR /src
COPY . .
RUN MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED" \
      mvn -q -B -DskipTests -pl runtime -am package \
 && ci/docker-dist.sh runtime/target /dist

# ---- variant 2's runtime image (the default target) ------------------------------------------------------------
FROM runtime-base AS runtime
COPY --from=build /dist/ /opt/speech-mamba/
