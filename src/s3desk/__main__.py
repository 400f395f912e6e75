from s3desk.cli import main

# The guard matters: the app's engine process is started with "spawn", which imports the
# parent's main module again in the child.
if __name__ == "__main__":
    raise SystemExit(main())
