import { createRoot } from 'react-dom/client';
import './i18n.ts';
import './style.css';
import { App } from './App.tsx';

createRoot(document.getElementById('root')!).render(<App />);
