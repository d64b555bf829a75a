//! The manifests the editor offers: a starting point for people who have never written one.

/// What the editor holds when the page opens: a small nginx Deployment.
pub const NGINX_DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - containerPort: 80
          resources:
            requests:
              cpu: 250m
              memory: 64Mi
";

/// The commands the console suggests before anything has been typed.
pub const CONSOLE_HINT: &str = "\
Type kubectl commands here (the leading \"kubectl\" is optional), for example:
  get pods -o wide        describe deployment nginx
  scale deployment nginx --replicas=5
  sim advance 30s         sim settle
Type help for everything kubeplay understands; ↑ and ↓ recall earlier commands.";
