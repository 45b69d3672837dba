// The cpa console: entry point. Pages register their routes on import.
import { start } from "./app";
import "./pages/home";
import "./pages/policies";
import "./pages/roles";
import "./pages/users";
import "./pages/subscriptions";
import "./pages/chain";

void start();
