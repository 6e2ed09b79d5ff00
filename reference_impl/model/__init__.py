"""The models the reference system serves: what each accepts (catalog) and its artifact on S3."""
