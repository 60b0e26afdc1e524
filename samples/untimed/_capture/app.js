const express = require('express');
const morgan = require('morgan');
const app = express();
// MORGAN_FORMAT: dev for samples/untimed (no time in its lines), combined for samples/proxy-chain.
app.use(morgan(process.env.MORGAN_FORMAT || 'dev'));
const notAllowed = (allow) => (req, res) => res.set('Allow', allow).status(405).json({ error: 'method not allowed' });
app.route('/api/items').get((req, res) => res.json([{ id: 1 }])).all(notAllowed('GET'));
app.route('/api/items/:id').get((req, res) => res.json({ id: req.params.id })).put((req, res) => res.json({ ok: true })).all(notAllowed('GET, PUT'));
app.route('/api/search').get((req, res) => res.json({ results: [] })).all(notAllowed('GET'));
app.get('/healthz', (req, res) => res.send('ok'));
app.get('/admin/users/:id', (req, res) => res.json({ id: req.params.id }));
app.listen(18091, '127.0.0.1');
